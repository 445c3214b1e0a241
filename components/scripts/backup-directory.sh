# Sourced by archive-wal.sh, base-backup.sh and the bootstrap (restore.sh): one cluster's directory on the
# backup volume, <directory>/wal (archived WAL and history files) and <directory>/base/<stamp>/ (base backups).

# claim_backup_directory <directory> <system identifier>
# One cluster per backup directory: the first archive or base backup records the server's system identifier
# there, and a server of another cluster (two stacks of the same namespace and name on one backup volume, a
# cluster initialised anew) is refused instead of mixing its WAL with the other's. A restored cluster is a copy
# of the one it was restored from and has the same identifier: its new timeline goes on in the same history.
# The record is made with a hard link, which fails when the name exists: of two first writers, one wins.
claim_backup_directory() {
	[ -n "$2" ] || {
		echo "pg-ha: could not read the server's system identifier" >&2
		return 1
	}
	mkdir -p "$1/wal" "$1/base"
	if [ ! -s "$1/system-identifier" ]; then
		printf '%s\n' "$2" >"$1/system-identifier.$$"
		ln "$1/system-identifier.$$" "$1/system-identifier" 2>/dev/null || :
		rm -f "$1/system-identifier.$$"
	fi
	recorded=$(cat "$1/system-identifier")
	[ "$recorded" = "$2" ] && return 0
	echo "pg-ha: $1 holds the backups of another cluster (system identifier $recorded, this server's is $2): refusing to write there. Give this cluster another backup volume, or move the old backups away (see 'Backups and point-in-time recovery' in the README)" >&2
	return 1
}

# finished_backups <directory>: finished, verified base backups, oldest first (their names are UTC times).
finished_backups() {
	ls "$1/base" 2>/dev/null | grep -E '^[0-9]{8}T[0-9]{6}Z$' | sort || :
}

# label_field <directory> <backup> <field>: a field of the base backup's backup_label.
label_field() {
	sed -n "s/^$3: //p" "$1/base/$2/data/backup_label"
}

# start_wal_file <directory> <backup>: the WAL file the base backup starts in, the oldest a restore from it reads.
start_wal_file() {
	label_field "$1" "$2" "START WAL LOCATION" | sed -n 's/^.* (file \([0-9A-F]\{24\}\))$/\1/p'
}

# lsn_number <X/Y>: a WAL location as one number, to compare.
lsn_number() {
	echo $(((0x${1%/*} << 32) + 0x${1#*/}))
}

# latest_timeline <directory>: the highest timeline of the archived history files (1 without any), the one a
# recovery follows (recovery_target_timeline = latest).
latest_timeline() {
	latest=$(ls "$1/wal" 2>/dev/null | sed -n 's/^\([0-9A-F]\{8\}\)\.history$/\1/p' | sort | tail -n 1)
	echo $((0x${latest:-1}))
}

# on_history_of <directory> <backup> <timeline>: whether a recovery from the base backup can follow that
# timeline (the latest): the backup is on it, or on a timeline it branched from, taken before the branch. A base
# backup of the old timeline taken after an in-place recovery's branch point leads elsewhere ("requested
# timeline is not a child of this server's history").
on_history_of() {
	timeline=$(label_field "$1" "$2" "START TIMELINE")
	[ "$timeline" = "$3" ] && return 0
	history="$1/wal/$(printf '%08X' "$3").history"
	branch=$(awk -v tli="$timeline" '$1 == tli { print $2 }' "$history" 2>/dev/null)
	[ -n "$branch" ] || return 1
	start=$(label_field "$1" "$2" "START WAL LOCATION" | cut -d' ' -f1)
	[ "$(lsn_number "$start")" -lt "$(lsn_number "$branch")" ]
}
