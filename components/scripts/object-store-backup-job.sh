#!/bin/sh
# The backup Jobs' container with backup.objectStore: asks pod 0 for a base backup to the object store, then
# the retention (object-store.sh base-backup). Barman Cloud reads the data directory itself, so the backup runs
# in pod 0: the Job connects as the superuser through the -rw Service and runs it with COPY … TO PROGRAM,
# which waits for it and fails when it fails. Its log is in pod 0's log; the Job fails, and stays, with the
# error.
# - The statement holds a snapshot while the backup runs, as pg_dump does: VACUUM keeps the rows deleted
#   meanwhile until it ends (see 'Backups to object storage' in the README). Pod 0 stops the backup at the
#   Job's deadline, and refuses to start one while archiving fails (it would never end).
# - With PG_HA_ONLY_IF_NONE=true (the Job of the first base backup), only while there is none of pod 0's
#   current timeline.
set -eu
. "${0%/*}/passfile.sh"
JOB_LOG_NAME=object-store-backup
. "${0%/*}/backup-job.sh"

: "${PG_HA_KEEP_BASE_BACKUPS:?PG_HA_KEEP_BASE_BACKUPS must be set}"
: "${PG_HA_SUPERUSER_PASSWORD_FILE:?PG_HA_SUPERUSER_PASSWORD_FILE must be set}"
: "${PG_HA_CONFIG_DIR:?PG_HA_CONFIG_DIR must be set}"
: "${PG_HA_BASE_BACKUP_DEADLINE_SECONDS:?PG_HA_BASE_BACKUP_DEADLINE_SECONDS must be set}"
: "${PGPASSFILE:?PGPASSFILE must be set}"

write_superuser_passfile
wait_for_primary
program="/bin/sh $PG_HA_CONFIG_DIR/object-store.sh base-backup $PG_HA_KEEP_BASE_BACKUPS ${PG_HA_ONLY_IF_NONE:-false} $PG_HA_BASE_BACKUP_DEADLINE_SECONDS"
log "pod 0 takes a base backup to the object store and applies the retention; its progress is in pod 0's log"
# The connection is idle while the backup runs: keepalives keep load balancers and conntrack from dropping it.
psql -X -q -v ON_ERROR_STOP=1 -d "keepalives_idle=30 keepalives_interval=10 keepalives_count=6" \
	-c "COPY (SELECT 1) TO PROGRAM '$program'" ||
	die "the base backup in pod 0 failed: its reason is in pod 0's log (lines 'pg-ha object-store:')"
log "done"
