# Sourced by bootstrap.sh and probe.sh: what keeps a running pod in step with its mounted Secrets, which the
# kubelet updates in place (at its next sync of the pod, about a minute after the change) without a restart.
# The readiness probe calls keep_in_step each time it runs:
# - on pod 0, a changed superuser or replication password is put into effect (ALTER ROLE over the pod's own
#   socket, where the OS user logs in without a password, so the old one is not needed);
# - on a standby, the replication passfile follows the Secret, for the WAL receiver's next connection;
# - on every pod, a renewed certificate is loaded (a reload: no connection is cut, and a bad certificate is
#   refused while the server keeps the one it has);
# - on pod 0, failing or stuck WAL archiving is said in the log once a minute, with the WAL it leaves waiting;
# - on a standby, the CAs it trusts for pod 0 follow the Secret's (see "The CAs a standby trusts" below), and
#   one still on sslmode=prefer from the moment TLS was turned on switches to verify-full once pod 0
#   presents a certificate it can verify.
# Each step leaves a line in the server's log (the container's log), which the probe's own output is not.

RUNTIME_STATE="${PG_HA_RUNTIME_DIR:-/var/run/postgresql}"

# The CAs a standby trusts for pod 0: the Secret's ca.crt, and until pod 0 presents a certificate that this
# CA alone verifies, also the CA that verified pod 0 before (recorded on the data volume). So a new CA (a
# switch between TLS modes, a rotation) rolls out like any change: the standbys, restarted first, still
# accept pod 0's certificate from the old CA until pod 0 restarts with the new one. Never a CA that is not
# the cluster's, and never no verification.
TRUSTED_CA="$RUNTIME_STATE/trusted-ca.crt"
RECORDED_CA="${PGDATA%/*}/.pg-ha-primary-ca.crt"

# " sslmode=<mode> sslrootcert=<trusted CAs>" with TLS on, nothing without.
tls_conninfo() {
	[ -n "${PG_HA_TLS_CA_FILE:-}" ] || return 0
	printf ' sslmode=%s sslrootcert=%s' "$1" "$TRUSTED_CA"
}

# Writes the trusted CAs: the Secret's, and the recorded one when it differs.
trust_current_and_recorded_ca() {
	(
		umask 022
		cat "$PG_HA_TLS_CA_FILE" >"$TRUSTED_CA.new"
		if [ -s "$RECORDED_CA" ] && ! cmp -s "$RECORDED_CA" "$PG_HA_TLS_CA_FILE"; then
			cat "$RECORDED_CA" >>"$TRUSTED_CA.new"
		fi
		mv "$TRUSTED_CA.new" "$TRUSTED_CA"
	)
}

# The sslmode a conninfo string asks for: its last one, since a later keyword wins.
effective_sslmode() {
	printf '%s\n' "$1" | grep -o 'sslmode=[a-z-]*' | tail -n 1 | sed 's/^sslmode=//'
}

# Pod 0 answers through the -rw Service with a certificate for that name signed by the Secret's CA alone. No
# password is sent: pg_isready succeeds once the server answers the TLS handshake and the startup packet.
primary_verifies() {
	pg_isready -q -t 2 -d "host=$PG_HA_RW_HOST port=${PG_HA_PORT:-5432} connect_timeout=2 sslmode=verify-full sslrootcert=$PG_HA_TLS_CA_FILE"
}

# Pod 0 answers with TLS, whatever its certificate.
primary_offers_tls() {
	pg_isready -q -t 2 -d "host=$PG_HA_RW_HOST port=${PG_HA_PORT:-5432} connect_timeout=2 sslmode=require"
}

# A digest of the given files' contents, to notice a change; kept where only this user can read it.
files_digest() {
	cat "$@" | sha256sum
}

remember() {
	(
		umask 077
		printf '%s\n' "$2" >"$RUNTIME_STATE/$1"
	)
}

record_tls_files() {
	remember tls-loaded "$(files_digest "$PG_HA_TLS_CERT_FILE" "$PG_HA_TLS_KEY_FILE" "$PG_HA_TLS_CA_FILE")"
}

local_psql() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -U postgres -d postgres "$@"
}

# A line of the server's log, "pg-ha: <message>" at level LOG or WARNING: the probe's output reaches the
# pod's events only when it fails.
say() {
	level=LOG
	[ "$1" = --warning ] && level=WARNING && shift
	message=$(printf '%s' "pg-ha: $*" | sed "s/'/''/g")
	local_psql -c "DO \$pg_ha\$BEGIN RAISE $level '%', '$message'; END\$pg_ha\$" >/dev/null 2>&1 || :
}

reload_changed_certificate() {
	[ -n "${PG_HA_TLS_CA_FILE:-}" ] || return 0
	current=$(files_digest "$PG_HA_TLS_CERT_FILE" "$PG_HA_TLS_KEY_FILE" "$PG_HA_TLS_CA_FILE") || return 0
	[ "$current" = "$(cat "$RUNTIME_STATE/tls-loaded" 2>/dev/null)" ] && return 0
	local_psql -c "SELECT pg_reload_conf()" >/dev/null || return 0
	remember tls-loaded "$current"
	say "the TLS Secret changed: reloaded the certificate"
}

# The passwords travel as psql variables read from the mounted files, never on a command line, and
# no-statement-logging.sql keeps the statements out of every log. Bounded, so that a lock on a role cannot
# hold the probe past its timeout; a failure is said in the log and tried again at the next probe.
apply_changed_passwords() {
	current=$(files_digest "$PG_HA_SUPERUSER_PASSWORD_FILE" "$PG_HA_REPLICATION_PASSWORD_FILE") || return 0
	[ "$current" = "$(cat "$RUNTIME_STATE/passwords-applied" 2>/dev/null)" ] && return 0
	if ! error=$(local_psql -v superuser_file="$PG_HA_SUPERUSER_PASSWORD_FILE" \
		-v replication_file="$PG_HA_REPLICATION_PASSWORD_FILE" -v role="$PG_HA_REPLICATION_USER" \
		-v quiet="$PG_HA_CONFIG_DIR/no-statement-logging.sql" 2>&1 >/dev/null <<-'SQL'
			\i :quiet
			SET lock_timeout = '1s';
			SET statement_timeout = '2s';
			\set password `cat :'superuser_file'`
			ALTER ROLE postgres PASSWORD :'password';
			\set password `cat :'replication_file'`
			ALTER ROLE :"role" PASSWORD :'password';
		SQL
	); then
		# The ERROR line alone: psql's context lines may quote the statement, password and all.
		error=$(printf '%s\n' "$error" | grep -m 1 'ERROR:' | sed 's/^.*ERROR: *//')
		say --warning "could not put the passwords in the Secret into effect, trying again at the next probe: ${error:-psql failed}"
		return 0
	fi
	remember passwords-applied "$current"
	say "the passwords in the Secret are in effect (superuser and $PG_HA_REPLICATION_USER)"
}

# The standby's replication passfile, from the Secret's file as it is now; remembers which version it holds.
write_replication_passfile() {
	current=$(files_digest "$PG_HA_REPLICATION_PASSWORD_FILE") &&
		write_passfile "$PG_HA_REPLICATION_PASSWORD_FILE" "$PG_HA_REPLICATION_USER" "$REPLICATION_PASSFILE" &&
		remember passfile-written "$current"
}

refresh_replication_passfile() {
	[ -e "$REPLICATION_PASSFILE" ] || return 0
	[ "$(files_digest "$PG_HA_REPLICATION_PASSWORD_FILE")" = "$(cat "$RUNTIME_STATE/passfile-written" 2>/dev/null)" ] &&
		return 0
	write_replication_passfile || return 0
	say "the replication password in the Secret changed: the next connection to pod 0 uses it"
}

# Once pod 0 presents a certificate the Secret's CA alone verifies, that CA is the only one trusted, and the
# one recorded for the next start.
trust_only_current_ca() {
	cmp -s "$TRUSTED_CA" "$PG_HA_TLS_CA_FILE" && cmp -s "$RECORDED_CA" "$PG_HA_TLS_CA_FILE" && return 0
	primary_verifies || return 0
	cat "$PG_HA_TLS_CA_FILE" >"$RECORDED_CA.new" && mv "$RECORDED_CA.new" "$RECORDED_CA" || return 0
	cmp -s "$TRUSTED_CA" "$PG_HA_TLS_CA_FILE" && return 0
	trust_current_and_recorded_ca
	say "pod 0 presents a certificate of the CA in the TLS Secret: the CA it had before is no longer trusted"
}

# Set by the bootstrap while this standby streams with sslmode=prefer.
TLS_PENDING="$RUNTIME_STATE/tls-pending"

verify_primary_once_it_offers_tls() {
	[ -e "$TLS_PENDING" ] && primary_verifies || return 0
	conninfo=$(local_psql -c "SHOW primary_conninfo") || return 0
	local_psql -v conninfo="$conninfo$(tls_conninfo verify-full)" <<-'SQL' >/dev/null || return 0
		ALTER SYSTEM SET primary_conninfo = :'conninfo';
		SELECT pg_reload_conf();
	SQL
	rm -f "$TLS_PENDING"
	say "pod 0 presents a certificate signed by the cluster's CA: streaming with sslmode=verify-full from now on"
}

# While archive_command fails or hangs (a hard NFS mount whose server is away), pod 0 keeps every WAL file not
# yet archived in pg_wal, which grows until archiving works again or the volume is full. PostgreSQL logs each
# failure but not a hang; this says, once a minute, what either adds up to: archiving is failing, or the oldest
# finished WAL file has waited more than a minute (normally one is archived within a second). pg_stat_archiver
# is what alerts read (see "Backups and point-in-time recovery" in the README).
warn_if_archiving_fails() {
	[ $(($(date +%s) - $(cat "$RUNTIME_STATE/archive-warned" 2>/dev/null || echo 0))) -ge 60 ] || return 0
	problem=$(local_psql -c "SELECT CASE WHEN a.last_failed_time > coalesce(a.last_archived_time, '-infinity')
				THEN 'WAL archiving is failing since ' || a.last_failed_time || ' (' || a.failed_count
					|| ' failures, the last on ' || a.last_failed_wal || ')'
				ELSE 'WAL archiving is stuck or behind: the oldest WAL file waiting was finished '
					|| round(extract(epoch FROM now() - w.oldest)) || ' s ago' END
			|| ': ' || w.waiting || ' WAL files ('
			|| pg_size_pretty(w.waiting * pg_size_bytes(current_setting('wal_segment_size')))
			|| ') wait in pg_wal and stay there until it works again'
		FROM pg_stat_archiver a,
			(SELECT count(*) AS waiting, min(modification) AS oldest
				FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready') w
		WHERE current_setting('archive_mode') <> 'off'
			AND (a.last_failed_time > coalesce(a.last_archived_time, '-infinity')
				OR w.oldest < now() - interval '1 minute')") || return 0
	[ -n "$problem" ] || return 0
	say --warning "$problem: see 'Backups and point-in-time recovery' in the README"
	remember archive-warned "$(date +%s)"
}

keep_in_step() {
	reload_changed_certificate
	if [ "$1" = 0 ]; then
		apply_changed_passwords
		warn_if_archiving_fails
	else
		refresh_replication_passfile
		if [ -n "${PG_HA_TLS_CA_FILE:-}" ]; then
			trust_only_current_ca
			verify_primary_once_it_offers_tls
		fi
	fi
}
