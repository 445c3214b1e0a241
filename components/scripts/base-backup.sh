#!/bin/sh
# The backup Jobs' container: a base backup of pod 0 into the backup volume, then the retention.
#
# - pg_basebackup through the -rw Service as the replication role, with the WAL it needs streamed into it, so
#   that each base backup restores by itself; checked with pg_verifybackup (every file against the manifest,
#   and the WAL) before it counts. Built under "<stamp>.partial" and renamed when verified: a restore only
#   ever sees finished, verified backups. A ".partial" older than a backup may run is removed; a younger one
#   may be another Job's at work (the first backup's Job, a run of the CronJob, one made by hand).
# - With PG_HA_ONLY_IF_NONE=true (the Job of the first base backup), only while there is none of pod 0's
#   current timeline: a new cluster, and a cluster just recovered in place (its old backups lead elsewhere).
# - Retention: the newest PG_HA_KEEP_BASE_BACKUPS verified base backups stay; older ones go (renamed first,
#   so that a removal cut short never leaves a backup that looks whole), and with them the archived WAL older
#   than where every one that stays starts (pg_archivecleanup compares segment numbers whatever the timeline:
#   the lowest start of all kept backups is the bound, not the oldest backup's).
# - Loud: the Job fails (and stays, with this log) when the backup fails, and when pod 0's WAL archiving is
#   failing: the backup is kept, the retention skipped (the older backups and WAL are then what a restore to
#   a time before the failure needs), and the WAL after it is missing until archiving works again.
set -eu
. "${0%/*}/passfile.sh"
. "${0%/*}/backup-directory.sh"
JOB_LOG_NAME=base-backup
. "${0%/*}/backup-job.sh"

: "${PG_HA_BACKUP_DIR:?PG_HA_BACKUP_DIR must be set}"
: "${PG_HA_KEEP_BASE_BACKUPS:?PG_HA_KEEP_BASE_BACKUPS must be set}"
: "${PG_HA_REPLICATION_PASSWORD_FILE:?PG_HA_REPLICATION_PASSWORD_FILE must be set}"
: "${PG_HA_BASE_BACKUP_DEADLINE_SECONDS:?PG_HA_BASE_BACKUP_DEADLINE_SECONDS must be set}"
: "${PGUSER:?PGUSER must be set}"
: "${PGPASSFILE:?PGPASSFILE must be set}"

BASE="$PG_HA_BACKUP_DIR/base"

# The newest finished base backup of this timeline, if any.
newest_of_timeline() {
	for backup in $(finished_backups "$PG_HA_BACKUP_DIR"); do
		[ "$(label_field "$PG_HA_BACKUP_DIR" "$backup" "START TIMELINE")" = "$1" ] && newest=$backup
	done
	printf '%s' "${newest:-}"
}

remove_stale() {
	for left in "$BASE"/*.deleting; do
		[ -e "$left" ] && rm -rf "$left"
	done
	minutes=$((PG_HA_BASE_BACKUP_DEADLINE_SECONDS / 60))
	find "$BASE" -mindepth 1 -maxdepth 1 -name '*.partial' -mmin +"$minutes" | while read -r stale; do
		log "removing $stale, left by a base backup that did not finish"
		rm -rf "$stale"
	done
}

# The start file of the backup that starts at the lowest segment number, of all that stay, whatever their
# timeline; fails when a backup's start cannot be read.
lowest_start() {
	lowest=
	for backup in $(finished_backups "$PG_HA_BACKUP_DIR"); do
		start=$(start_wal_file "$PG_HA_BACKUP_DIR" "$backup")
		[ -n "$start" ] || return 1
		first=$(printf '%s\n%s\n' "${start#????????}" "${lowest#????????}" | sort | head -n 1)
		if [ -z "$lowest" ] || [ "$first" = "${start#????????}" ]; then
			lowest=$start
		fi
	done
	printf '%s' "$lowest"
}

apply_retention() {
	count=$(finished_backups "$PG_HA_BACKUP_DIR" | wc -l)
	excess=$((count - PG_HA_KEEP_BASE_BACKUPS))
	for old in $(finished_backups "$PG_HA_BACKUP_DIR" | head -n "$((excess > 0 ? excess : 0))"); do
		log "removing base backup $old (keeping the newest $PG_HA_KEEP_BASE_BACKUPS)"
		mv "$BASE/$old" "$BASE/$old.deleting"
		rm -rf "$BASE/$old.deleting"
	done
	start=$(lowest_start) || die "could not read where every base backup kept starts: left the archived WAL as it is"
	[ -n "$start" ] || return 0
	log "removing archived WAL before segment $start, where the base backups kept start"
	pg_archivecleanup "$PG_HA_BACKUP_DIR/wal" "$start"
}

write_passfile "$PG_HA_REPLICATION_PASSWORD_FILE" "$PGUSER" "$PGPASSFILE"
wait_for_primary
identity=$(psql -X -A -t -d "dbname=replication replication=true" -c "IDENTIFY_SYSTEM") ||
	die "could not reach pod 0 through $PGHOST as $PGUSER"
claim_backup_directory "$PG_HA_BACKUP_DIR" "${identity%%|*}" || exit 1
timeline=$(printf '%s' "$identity" | cut -d'|' -f2)

if [ "${PG_HA_ONLY_IF_NONE:-}" = true ]; then
	newest=$(newest_of_timeline "$timeline")
	if [ -n "$newest" ]; then
		log "base backup $newest of timeline $timeline exists already: the schedule takes the next one"
		exit 0
	fi
fi
remove_stale

# Names are to the second: one started in the same second as another takes the next.
stamp=$(date -u +%Y%m%dT%H%M%SZ)
until mkdir "$BASE/$stamp.partial" 2>/dev/null; do
	[ ! -e "$BASE/$stamp.partial" ] && [ ! -e "$BASE/$stamp" ] && die "could not make $BASE/$stamp.partial"
	sleep 1
	stamp=$(date -u +%Y%m%dT%H%M%SZ)
done
partial="$BASE/$stamp.partial"
log "taking base backup $stamp of $PGHOST (timeline $timeline)"
started=$(date +%s)
pg_basebackup -D "$partial/data" --wal-method=stream --checkpoint=fast --label="pg-ha $stamp" >&2 ||
	die "pg_basebackup failed (its message is above); nothing was kept"
# Recorded once the backup is complete: a restore to a time chooses a backup that ended before it.
ended=$(date +%s)
pg_verifybackup --quiet "$partial/data" >&2 || die "pg_verifybackup found base backup $stamp damaged; it was not kept"
printf 'end_epoch=%s\n' "$ended" >"$partial/info"
sync "$partial/info"
mv "$partial" "$BASE/$stamp"
sync "$BASE"
log "base backup $stamp is verified and kept ($((ended - started)) s, $(du -sh "$BASE/$stamp" | cut -f1))"

refuse_while_archiving_fails "the older base backups and WAL are kept (no retention), and a restore can reach no later than the last archived WAL until it works again"
apply_retention
