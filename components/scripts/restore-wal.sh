#!/bin/sh
# PostgreSQL's restore_command while pod 0 restores from a backup: restore-wal.sh <backup directory> <%f> <%p>
# Exit 1 for a file that is not in the archive: the end of the archived WAL, or a timeline that does not
# exist, both normal at the end of a recovery. An archive that cannot be read, or a file that is there but
# cannot be copied, exits with 126, which PostgreSQL takes as fatal: a recovery that skipped a segment would end
# early, at the wrong point.
set -u
# No readable archive at all is not the end of one.
[ -d "$1/wal" ] && [ -r "$1/wal" ] && [ -x "$1/wal" ] || {
	echo "pg-ha: cannot read the archive $1/wal" >&2
	exit 126
}
archived="$1/wal/$2"
[ -f "$archived" ] || exit 1
cp "$archived" "$3" || exit 126
