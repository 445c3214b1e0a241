#!/bin/sh
# Barman Cloud for backup.objectStore (an S3-compatible bucket): object-store.sh <command> <arguments>
#   archive-wal <%p> <%f>                          PostgreSQL's archive_command on pod 0
#   restore-wal <destination> <server> <%f> <%p>   the restore_command of a restore
#   base-backup <keep> <only-if-none> <deadline>   a base backup of pod 0, then the retention; run in pod 0 by the
#                                                  backup Jobs (through COPY … TO PROGRAM), since Barman Cloud
#                                                  reads the data directory itself; stopped after <deadline> s
# Each cluster is the Barman "server" PG_HA_OBJECT_STORE_SERVER (its name) under PG_HA_OBJECT_STORE
# (destinationPath/<namespace>). The credentials are AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which the
# pod takes from the Secret that backup.objectStore.credentials names.
set -eu
JOB_LOG_NAME=object-store
. "${0%/*}/backup-job.sh"
. "${0%/*}/barman-cloud.sh"

require_barman_cloud

# A timeline (decimal) from the first eight hex digits of a WAL file's name.
timeline_of() {
	printf '%d' "0x$(printf '%s' "$1" | cut -c1-8)"
}

# Barman Cloud uploads over any object of the same name: before a cluster first archives to a destination, the
# destination must hold no WAL of this timeline or a later one (another cluster's, or another history's). The
# claim is remembered in the data directory, with the system identifier, so that a restored copy of it
# checks again when it archives somewhere new.
claim_destination() {
	identifier=$(pg_controldata . | sed -n 's/^Database system identifier: *//p')
	claim="$PG_HA_OBJECT_STORE/$PG_HA_OBJECT_STORE_SERVER $identifier"
	[ "$(cat pg-ha-archive-claim 2>/dev/null || :)" = "$claim" ] && return 0
	# A promoted restore archives the end of its old timeline too: the newer of the two is its own.
	current=$(pg_controldata . | sed -n "s/^Latest checkpoint's TimeLineID: *//p")
	timeline=$(timeline_of "$1")
	[ "${current:-0}" -gt "$timeline" ] && timeline=$current
	cloud check-wal-archive --timeline "$timeline" "$PG_HA_OBJECT_STORE" "$PG_HA_OBJECT_STORE_SERVER" ||
		die "$PG_HA_OBJECT_STORE/$PG_HA_OBJECT_STORE_SERVER already holds WAL of timeline $timeline or later, of another cluster or history: refusing to archive over it (see 'Backups to object storage' in the README)"
	printf '%s\n' "$claim" >pg-ha-archive-claim.new
	mv pg-ha-archive-claim.new pg-ha-archive-claim
}

archive_wal() {
	: "${PG_HA_OBJECT_STORE:?PG_HA_OBJECT_STORE must be set}"
	: "${PG_HA_OBJECT_STORE_SERVER:?PG_HA_OBJECT_STORE_SERVER must be set}"
	claim_destination "$2"
	cloud wal-archive "$PG_HA_OBJECT_STORE" "$PG_HA_OBJECT_STORE_SERVER" "$1"
}

# Exit 1 is "not in the archive" (the end of the WAL, or a timeline that does not exist), normal at the end of a
# recovery; any other failure (the store cannot be reached, a download broke off) exits 126, which PostgreSQL
# takes as fatal: a recovery that skipped a segment would end early, at the wrong point.
restore_wal() {
	status=0
	cloud wal-restore "$1" "$2" "$3" "$4" || status=$?
	case $status in
	0 | 1) exit "$status" ;;
	*) exit 126 ;;
	esac
}

base_backup() {
	: "${PG_HA_OBJECT_STORE:?PG_HA_OBJECT_STORE must be set}"
	: "${PG_HA_OBJECT_STORE_SERVER:?PG_HA_OBJECT_STORE_SERVER must be set}"
	keep=$1
	catalog="${0%/*}/object-store-catalog.py"
	identity=$(psql -X -A -t -U postgres -d postgres \
		-c "SELECT system_identifier || ' ' || timeline_id FROM pg_control_system(), pg_control_checkpoint()") ||
		die "could not read pod 0's system identifier and timeline"
	if [ "$2" = true ]; then
		backups=$(cloud backup-list --format json "$PG_HA_OBJECT_STORE" "$PG_HA_OBJECT_STORE_SERVER") ||
			die "could not list the base backups in $PG_HA_OBJECT_STORE/$PG_HA_OBJECT_STORE_SERVER"
		if printf '%s' "$backups" | python3 "$catalog" has-backup $identity; then
			log "a base backup of timeline ${identity#* } exists already: the schedule takes the next one"
			return 0
		fi
	fi
	# A backup ends only once its last WAL is archived (pg_backup_stop waits for it): while archiving fails
	# it would wait for good, its statement holding back VACUUM.
	refuse_while_archiving_fails "no base backup is taken until it works again, the older ones and their WAL are kept, and a restore can reach no later than the last archived WAL" -U postgres -d postgres
	log "taking a base backup of pod 0 (timeline ${identity#* }) into $PG_HA_OBJECT_STORE/$PG_HA_OBJECT_STORE_SERVER"
	started=$(date +%s)
	# Barman records the end as PostgreSQL reports it, without its offset: in UTC, for a restore to compare.
	# Stopped at the Job's deadline: the Job is gone by then, and this would run on alone.
	PGTZ=UTC timeout "$3" barman-cloud-backup ${PG_HA_OBJECT_STORE_ENDPOINT:+--endpoint-url "$PG_HA_OBJECT_STORE_ENDPOINT"} \
		--immediate-checkpoint -U postgres -d postgres "$PG_HA_OBJECT_STORE" "$PG_HA_OBJECT_STORE_SERVER" ||
		die "barman-cloud-backup failed or ran past the deadline of $3 s (its message is above)"
	log "the base backup is uploaded ($(($(date +%s) - started)) s)"
	refuse_while_archiving_fails "the new base backup is kept, the retention skipped: the older backups and WAL are what a restore to a time before the failure needs" -U postgres -d postgres
	log "keeping the newest $keep base backups and the WAL they need"
	cloud backup-delete --retention-policy "REDUNDANCY $keep" "$PG_HA_OBJECT_STORE" "$PG_HA_OBJECT_STORE_SERVER" ||
		die "the retention failed (its message is above): the backups and WAL it would have removed are still there"
}

command=$1
shift
case $command in
archive-wal) archive_wal "$@" ;;
restore-wal) restore_wal "$@" ;;
base-backup) base_backup "$@" ;;
*) die "unknown command $command" ;;
esac
