# Sourced by the scripts that connect with a password: write_passfile <password file> <user> <passfile>
# writes a libpq passfile (mode 0600) for <user> on any host with the password from its mounted file, so that
# the password is on no command line and in no environment. The format escapes ':' and '\' with a backslash.
# The file is complete before it takes the place of an older one: libpq reads it at every connection, the WAL
# receiver's included.
write_passfile() {
	(
		umask 077
		password=$(sed 's/[\\:]/\\&/g' "$1")
		printf '*:*:*:%s:%s\n' "$2" "$password" >"$3.new"
		mv "$3.new" "$3"
	)
}

# The passfile of a standby's replication connection (its primary_conninfo names it).
REPLICATION_PASSFILE="${PG_HA_RUNTIME_DIR:-/var/run/postgresql}/replication.pgpass"

# The maintenance Job's scripts connect as the superuser: with PGPASSFILE set, write its passfile there.
write_superuser_passfile() {
	[ -z "${PGPASSFILE:-}" ] && return 0
	: "${PG_HA_SUPERUSER_PASSWORD_FILE:?PG_HA_SUPERUSER_PASSWORD_FILE must be set with PGPASSFILE}"
	write_passfile "$PG_HA_SUPERUSER_PASSWORD_FILE" '*' "$PGPASSFILE"
}
