#!/bin/sh
# PostgreSQL's archive_command on pod 0: archive-wal.sh <backup directory> <%p> <%f>
# Copies one finished WAL segment (or a timeline or backup history file) into <backup directory>/wal.
# - A non-zero exit makes PostgreSQL keep the file and try again; it logs "archive command failed" after this
#   script's message, in the pod's log, and counts it in pg_stat_archiver (see "Backups" in the README).
# - On disk before it counts: PostgreSQL recycles the segment once this exits 0, so the copy is written under
#   a temporary name, flushed, renamed into place, and its directory flushed.
# - Never overwrites: the same file archived again with the same content is a success (pod 0 stopped after
#   the copy, before PostgreSQL recorded it); other content under that name is an error, since the archive
#   then holds WAL of another history, and a restore must not read the wrong one.
set -eu
. "${0%/*}/backup-directory.sh"

dir=$1
source=$2
name=$3
target="$dir/wal/$name"

# PostgreSQL runs this in the data directory: also the private server of a restore, whose is not $PGDATA yet.
claim_backup_directory "$dir" "$(pg_controldata . | sed -n 's/^Database system identifier: *//p')"
if [ -e "$target" ]; then
	cmp -s "$source" "$target" && exit 0
	echo "pg-ha: $target is already archived with other content: refusing to overwrite it" >&2
	exit 1
fi
cp "$source" "$target.partial-copy"
sync "$target.partial-copy"
mv "$target.partial-copy" "$target"
sync "$dir/wal"
