/** How to reach pod 0 from this machine: psql through the -rw Service, verifying its certificate. */
export interface Connection {
    /** The -rw Service's DNS name, which the certificate names. */
    host: string;
    /** Its cluster IP: this machine reaches it through kube-proxy, but cannot resolve the cluster's names. */
    address: string;
    passFile: string;
    caFile: string;
}

/** A line of psql's password file for the superuser on any host: `:` and `\` escaped as libpq wants. */
export function passFileLine(password: string): string {
    return `*:*:*:postgres:${password.replace(/\\/g, "\\\\").replace(/:/g, "\\:")}\n`;
}

/**
 * The command a person pastes: the password comes from a file (PGPASSFILE), so it is neither printed nor
 * kept in the shell's history; `hostaddr` skips DNS while `sslmode=verify-full` checks the certificate
 * against `host`.
 */
export function psqlCommand(connection: Connection): string {
    const conninfo = [
        `host=${connection.host}`,
        `hostaddr=${connection.address}`,
        "port=5432",
        "dbname=postgres",
        "user=postgres",
        "sslmode=verify-full",
        `sslrootcert=${connection.caFile}`,
    ].join(" ");
    return `PGPASSFILE=${shellWord(connection.passFile)} psql "${conninfo}"`;
}

/** A path as one shell word: quoted only when it needs to be, so that the usual case reads plainly. */
function shellWord(text: string): string {
    return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
