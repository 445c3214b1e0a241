/**
 * What in a text, or in a named value, is a secret that belongs in a Secret. Shared by the rule's check of
 * each object's fields and of its environment variables, so that both take the same names for secrets and
 * the same values for references.
 */

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** `scheme://user:password@`, unless the password is a variable the shell or the app fills in. */
const URI_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:(?![$%{<])[^\s@/]+@/i;
/**
 * A name that ends in one of these words names a secret. Not every `…KEY`: `PGSSLKEY` and `JWT_PUBLIC_KEY`
 * name a path and a public key, settings like any other.
 */
const SECRET_WORD = String.raw`(?:password|passwd|passphrase|secret|token|(?:secret|private|access|api)[-_.]?key)`;
/** A whole name (an environment variable's, a map key) that names a secret. */
const SECRET_NAME = new RegExp(`${SECRET_WORD}$`, "i");
/**
 * What starts a value that refers to the secret rather than holding it: a path (the file that holds it), a
 * variable (`$VAR`, `${VAR}`, Kubernetes' `$(VAR)`, `%(var)s`), a template (`{{ … }}`) or a placeholder
 * (`<password>`).
 */
const REFERENCE_START = "/$%{<";
/** After an assignment, the start of a literal: neither a reference nor an empty or quoted-empty value. */
const NOT_LITERAL = String.raw`(?![${REFERENCE_START}"'=\s]|$)`;
/**
 * A literal value given to a name that ends in a secret word. The name must end there, so that
 * `password_encryption = …` and `password_file=…` are not taken for passwords, and must not be a shell
 * variable's expansion (`${AWS_SECRET_ACCESS_KEY:-}`). A colon assigns only in a YAML key at the start of a
 * line or a quoted JSON key: elsewhere it is prose ("the password: …") or psql's `PASSWORD :'variable'`.
 */
const ASSIGNED_PASSWORDS = [
    // PGPASSWORD=…, --password=…, password = '…' (an .ini or .conf file)
    new RegExp(String.raw`(?<![\w.$\{-])([\w.-]*${SECRET_WORD})["']?[ \t]*=[ \t]*["']?${NOT_LITERAL}`, "i"),
    // password: … (YAML)
    new RegExp(String.raw`^[ \t]*(?:-[ \t]+)?([\w.-]*${SECRET_WORD}):[ \t]+["']?${NOT_LITERAL}`, "im"),
    // "password": "…" (JSON)
    new RegExp(String.raw`"([\w.-]*${SECRET_WORD})"[ \t]*:[ \t]*"${NOT_LITERAL}`, "i"),
];

/**
 * Whether a name names a secret, by how it ends: `PG_HA_SUPERUSER_PASSWORD_FILE` and `PGPASSFILE` name a
 * file mounted from a Secret, `PG_HA_PASSWORD_CHANGE_SECONDS` a duration, `db-password` a password.
 */
export function namesSecret(name: string): boolean {
    return SECRET_NAME.test(name);
}

/** Whether a whole value is a literal, by the same test as an assigned value in a text. */
export function isLiteral(value: string): boolean {
    const trimmed = value.trim();
    return trimmed !== "" && !REFERENCE_START.includes(trimmed[0]);
}

/**
 * What a text holds that belongs in a Secret, if anything; never the value itself, which would leak it.
 * `key` is the name of the map entry the text is the value of (an annotation, a ConfigMap key): a literal
 * under a secret's name is as much an assignment as `name=value` within a text.
 */
export function secretIn(text: string, key?: string): string | undefined {
    if (PRIVATE_KEY.test(text)) {
        return "a PEM private key";
    }
    if (URI_PASSWORD.test(text)) {
        return "a URI with a password (user:password@host)";
    }
    for (const pattern of ASSIGNED_PASSWORDS) {
        const assigned = pattern.exec(text);
        if (assigned) {
            return `a literal password (${assigned[1]} set to a value)`;
        }
    }
    if (key !== undefined && namesSecret(key) && isLiteral(text)) {
        return `a literal password (${key} set to a value)`;
    }
    return undefined;
}
