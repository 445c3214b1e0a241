# Sourced by bootstrap.sh and probe.sh: what keeps a running pod in step with its mounted Secrets, which the
# kubelet updates in place (at its next sync of the pod, about a minute after the change) without a restart.
# The readiness probe calls keep_in_step each time it runs:
# - on pod 0, a changed superuser or replication password is put into effect (ALTER ROLE over the pod's own
#   socket, where the OS user logs in without a password, so the old one is not needed);
# - on a standby, the replication passfile follows the Secret, for the WAL receiver's next connection;
# - on every pod, a renewed certificate is loaded (a reload: no connection is cut, and a bad certificate is
#   refused while the server keeps the one it has);
# - a standby still on sslmode=prefer from the moment TLS was turned on switches to verify-full once pod 0
#   presents a certificate it can verify.
# Each step leaves a line in the server's log (the container's log), which the probe's own output is not.

# " sslmode=<mode> sslrootcert=<CA>" with TLS on, nothing without.
tls_conninfo() {
	[ -n "${PG_HA_TLS_CA_FILE:-}" ] || return 0
	printf ' sslmode=%s sslrootcert=%s' "$1" "$PG_HA_TLS_CA_FILE"
}

# The sslmode a conninfo string asks for: its last one, since a later keyword wins.
effective_sslmode() {
	printf '%s\n' "$1" | grep -o 'sslmode=[a-z-]*' | tail -n 1 | sed 's/^sslmode=//'
}

# Pod 0 answers through the -rw Service with a certificate for that name signed by the cluster's CA. No
# password is sent: pg_isready succeeds once the server answers the TLS handshake and the startup packet.
primary_verifies() {
	pg_isready -q -t 3 -d "host=$PG_HA_RW_HOST port=${PG_HA_PORT:-5432} connect_timeout=3$(tls_conninfo verify-full)"
}

RUNTIME_STATE="${PG_HA_RUNTIME_DIR:-/var/run/postgresql}"

# A digest of the given files' contents, to notice a change.
files_digest() {
	cat "$@" | cksum
}

record_tls_files() {
	files_digest "$PG_HA_TLS_CERT_FILE" "$PG_HA_TLS_KEY_FILE" "$PG_HA_TLS_CA_FILE" >"$RUNTIME_STATE/tls-loaded"
}

local_psql() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -U postgres -d postgres "$@"
}

# A LOG line of the server's, "pg-ha: <message>": the probe's output reaches the pod's events only when it
# fails.
say() {
	message=$(printf '%s' "pg-ha: $*" | sed "s/'/''/g")
	local_psql -c "DO \$\$BEGIN RAISE LOG '%', '$message'; END\$\$" >/dev/null 2>&1 || :
}

reload_changed_certificate() {
	[ -n "${PG_HA_TLS_CA_FILE:-}" ] || return 0
	current=$(files_digest "$PG_HA_TLS_CERT_FILE" "$PG_HA_TLS_KEY_FILE" "$PG_HA_TLS_CA_FILE") || return 0
	[ "$current" = "$(cat "$RUNTIME_STATE/tls-loaded" 2>/dev/null)" ] && return 0
	local_psql -c "SELECT pg_reload_conf()" >/dev/null || return 0
	printf '%s\n' "$current" >"$RUNTIME_STATE/tls-loaded"
	say "the TLS Secret changed: reloaded the certificate"
}

# The passwords travel as psql variables read from the mounted files, never on a command line, and
# no-statement-logging.sql keeps the statements out of every log.
apply_changed_passwords() {
	current=$(files_digest "$PG_HA_SUPERUSER_PASSWORD_FILE" "$PG_HA_REPLICATION_PASSWORD_FILE") || return 0
	[ "$current" = "$(cat "$RUNTIME_STATE/passwords-applied" 2>/dev/null)" ] && return 0
	local_psql -v superuser_file="$PG_HA_SUPERUSER_PASSWORD_FILE" -v replication_file="$PG_HA_REPLICATION_PASSWORD_FILE" \
		-v role="$PG_HA_REPLICATION_USER" -v quiet="$PG_HA_CONFIG_DIR/no-statement-logging.sql" <<-'SQL' || return 0
		\i :quiet
		\set password `cat :'superuser_file'`
		ALTER ROLE postgres PASSWORD :'password';
		\set password `cat :'replication_file'`
		ALTER ROLE :"role" PASSWORD :'password';
	SQL
	printf '%s\n' "$current" >"$RUNTIME_STATE/passwords-applied"
	say "the passwords in the Secret are in effect (superuser and $PG_HA_REPLICATION_USER)"
}

refresh_replication_passfile() {
	[ -e "$REPLICATION_PASSFILE" ] || return 0
	before=$(cksum <"$REPLICATION_PASSFILE")
	write_passfile "$PG_HA_REPLICATION_PASSWORD_FILE" "$PG_HA_REPLICATION_USER" "$REPLICATION_PASSFILE" || return 0
	[ "$before" = "$(cksum <"$REPLICATION_PASSFILE")" ] || say "the replication password in the Secret changed: the next connection to pod 0 uses it"
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

keep_in_step() {
	reload_changed_certificate
	if [ "$1" = 0 ]; then
		apply_changed_passwords
	else
		refresh_replication_passfile
		verify_primary_once_it_offers_tls
	fi
}
