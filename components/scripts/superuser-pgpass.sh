# Sourced by the maintenance Job's scripts: with PGPASSFILE set, writes the superuser's password from its
# mounted file there (mode 0600), so that it is on no command line and in no environment. libpq's passfile
# format escapes ':' and '\' with a backslash.
if [ -n "${PGPASSFILE:-}" ]; then
	: "${PG_HA_SUPERUSER_PASSWORD_FILE:?PG_HA_SUPERUSER_PASSWORD_FILE must be set with PGPASSFILE}"
	(
		umask 077
		password=$(sed 's/[\\:]/\\&/g' "$PG_HA_SUPERUSER_PASSWORD_FILE")
		printf '*:*:*:*:%s\n' "$password" >"$PGPASSFILE"
	)
fi
