# Sourced by archive-wal.sh and base-backup.sh: claim_backup_directory <directory> <system identifier>
# One cluster per backup directory: the first archive or base backup records the server's system identifier
# there, and a server of another cluster (two stacks of the same namespace and name on one backup volume, a
# cluster initialised anew) is refused instead of mixing its WAL with the other's. A restored cluster is a copy
# of the one it was restored from and has the same identifier: its new timeline goes on in the same history.
claim_backup_directory() {
	[ -n "$2" ] || {
		echo "pg-ha: could not read the server's system identifier" >&2
		return 1
	}
	mkdir -p "$1/wal" "$1/base"
	if [ ! -s "$1/system-identifier" ]; then
		printf '%s\n' "$2" >"$1/system-identifier.new"
		mv "$1/system-identifier.new" "$1/system-identifier"
	fi
	recorded=$(cat "$1/system-identifier")
	[ "$recorded" = "$2" ] && return 0
	echo "pg-ha: $1 holds the backups of another cluster (system identifier $recorded, this server's is $2): refusing to write there. Give this cluster another backup volume, or move the old backups away (see 'Backups and point-in-time recovery' in the README)" >&2
	return 1
}
