#!/bin/sh
# The backup CronJob's container: a base backup of pod 0 into the backup volume, then the retention.
#
# - pg_basebackup through the -rw Service as the replication role, with the WAL it needs streamed into it, so
#   that each base backup restores by itself; checked with pg_verifybackup (every file against the manifest,
#   and the WAL) before it counts. Built under "<stamp>.partial" and renamed when verified: a restore only
#   ever sees finished, verified backups, and the next run removes what an interrupted one left.
# - Retention: the newest PG_HA_KEEP_BASE_BACKUPS verified base backups stay; older ones go, and with them
#   the archived WAL older than the oldest one that stays (pg_archivecleanup), which no restore can use:
#   every restore starts from a base backup that stays.
# - With PG_HA_ONLY_IF_NONE=true (the Job of the first base backup), only while the directory holds none.
# - Loud: the Job fails (and stays, with this log) when the backup fails, and also when pod 0's WAL archiving
#   is failing: the backup is kept, but the WAL after it is missing until archiving works again.
set -eu
. "${0%/*}/passfile.sh"
. "${0%/*}/backup-directory.sh"

: "${PG_HA_BACKUP_DIR:?PG_HA_BACKUP_DIR must be set}"
: "${PG_HA_KEEP_BASE_BACKUPS:?PG_HA_KEEP_BASE_BACKUPS must be set}"
: "${PG_HA_REPLICATION_PASSWORD_FILE:?PG_HA_REPLICATION_PASSWORD_FILE must be set}"
: "${PGUSER:?PGUSER must be set}"
: "${PGPASSFILE:?PGPASSFILE must be set}"
: "${PG_HA_PRIMARY_WAIT_SECONDS:=300}"

log() {
	printf '%s pg-ha base-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

die() {
	log "$*"
	exit 1
}

# Finished, verified base backups, oldest first: their names are UTC times that sort as they happened.
finished_backups() {
	ls "$PG_HA_BACKUP_DIR/base" 2>/dev/null | grep -E '^[0-9]{8}T[0-9]{6}Z$' | sort || :
}

# The WAL file a base backup starts in, from its backup_label: the oldest WAL a restore from it reads.
start_wal_file() {
	sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]\{24\}\))$/\1/p' "$PG_HA_BACKUP_DIR/base/$1/data/backup_label"
}

apply_retention() {
	count=$(finished_backups | wc -l)
	excess=$((count - PG_HA_KEEP_BASE_BACKUPS))
	for old in $(finished_backups | head -n "$((excess > 0 ? excess : 0))"); do
		log "removing base backup $old (keeping the newest $PG_HA_KEEP_BASE_BACKUPS)"
		rm -rf "$PG_HA_BACKUP_DIR/base/$old"
	done
	oldest=$(finished_backups | head -n 1)
	[ -n "$oldest" ] || return 0
	start=$(start_wal_file "$oldest")
	[ -n "$start" ] || die "could not read the start WAL file of base backup $oldest: left the archived WAL as it is"
	log "removing archived WAL older than $start, where the oldest base backup kept ($oldest) starts"
	pg_archivecleanup "$PG_HA_BACKUP_DIR/wal" "$start"
}

# A new pod may be refused for its first seconds, until the NetworkPolicy controller admits its address, and
# pod 0 may be restarting when the schedule comes: wait for it rather than fail the night's backup.
wait_for_primary() {
	deadline=$(($(date +%s) + PG_HA_PRIMARY_WAIT_SECONDS))
	until pg_isready -q -t 5; do
		[ "$(date +%s)" -lt "$deadline" ] ||
			die "pod 0 did not answer through $PGHOST within ${PG_HA_PRIMARY_WAIT_SECONDS}s"
		sleep 2
	done
}

# The first base backup's Job (PG_HA_ONLY_IF_NONE): the schedule takes the next ones.
newest=$(finished_backups | tail -n 1)
if [ "${PG_HA_ONLY_IF_NONE:-}" = true ] && [ -n "$newest" ]; then
	log "base backup $newest exists already: the schedule takes the next one"
	exit 0
fi

write_passfile "$PG_HA_REPLICATION_PASSWORD_FILE" "$PGUSER" "$PGPASSFILE"
wait_for_primary
identity=$(psql -X -A -t -d "dbname=replication replication=true" -c "IDENTIFY_SYSTEM") ||
	die "could not reach pod 0 through $PGHOST as $PGUSER"
claim_backup_directory "$PG_HA_BACKUP_DIR" "${identity%%|*}" || exit 1

for stale in "$PG_HA_BACKUP_DIR"/base/*.partial; do
	[ -e "$stale" ] || continue
	log "removing $stale, left by an interrupted base backup"
	rm -rf "$stale"
done

# Names are to the second: one started in the same second as another (the first backup's Job and a run of the
# CronJob) takes the next.
stamp=$(date -u +%Y%m%dT%H%M%SZ)
until mkdir "$PG_HA_BACKUP_DIR/base/$stamp.partial" 2>/dev/null; do
	[ ! -e "$PG_HA_BACKUP_DIR/base/$stamp.partial" ] && [ ! -e "$PG_HA_BACKUP_DIR/base/$stamp" ] &&
		die "could not make $PG_HA_BACKUP_DIR/base/$stamp.partial"
	sleep 1
	stamp=$(date -u +%Y%m%dT%H%M%SZ)
done
partial="$PG_HA_BACKUP_DIR/base/$stamp.partial"
log "taking base backup $stamp of $PGHOST"
started=$(date +%s)
pg_basebackup -D "$partial/data" --wal-method=stream --checkpoint=fast --label="pg-ha $stamp" >&2 ||
	die "pg_basebackup failed (its message is above); nothing was kept"
# Recorded once the backup is complete: a restore to a time chooses a backup that ended before it.
ended=$(date +%s)
pg_verifybackup --quiet "$partial/data" >&2 || die "pg_verifybackup found base backup $stamp damaged; it was not kept"
printf 'end_epoch=%s\n' "$ended" >"$partial/info"
sync "$partial/info"
mv "$partial" "$PG_HA_BACKUP_DIR/base/$stamp"
sync "$PG_HA_BACKUP_DIR/base"
log "base backup $stamp is verified and kept ($((ended - started)) s, $(du -sh "$PG_HA_BACKUP_DIR/base/$stamp" | cut -f1))"

apply_retention

archiving=$(psql -X -A -t -c "SELECT 'failing since ' || last_failed_time || ' (last failed: ' || last_failed_wal || ')'
	FROM pg_stat_archiver WHERE last_failed_time > coalesce(last_archived_time, '-infinity')") ||
	die "could not read pod 0's archiver status"
[ -z "$archiving" ] ||
	die "WAL archiving on pod 0 is $archiving: a restore can reach no later than the last archived WAL until it works again (see 'Backups and point-in-time recovery' in the README)"
