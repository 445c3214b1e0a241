#!/bin/sh
# PostgreSQL's restore_command while pod 0 restores from a backup: restore-wal.sh <backup directory> <%f> <%p>
# Exit 1 for a file that is not in the archive: the end of the archived WAL, or a timeline that does not
# exist, both normal at the end of a recovery. A file that is there but cannot be copied exits with 126, which
# PostgreSQL takes as fatal: a recovery that skipped a segment would end early, at the wrong point.
set -u
archived="$1/wal/$2"
[ -f "$archived" ] || exit 1
cp "$archived" "$3" || exit 126
