# Sourced by restore.sh when the backups are in an object store (backup.objectStore): the base backup and the
# WAL of the Barman server PG_HA_RESTORE_OBJECT_STORE_SERVER under PG_HA_RESTORE_OBJECT_STORE, through Barman
# Cloud. Defines fetch_base_backup and archived_segments.

: "${PG_HA_RESTORE_OBJECT_STORE_SERVER:?PG_HA_RESTORE_OBJECT_STORE_SERVER must be set}"
: "${PG_HA_OBJECT_STORE:?PG_HA_OBJECT_STORE must be set}"
: "${PG_HA_OBJECT_STORE_SERVER:?PG_HA_OBJECT_STORE_SERVER must be set}"

. "$PG_HA_CONFIG_DIR/barman-cloud.sh"

RESTORE_SOURCE="$PG_HA_RESTORE_OBJECT_STORE/$PG_HA_RESTORE_OBJECT_STORE_SERVER"
OBJECT_STORE="$PG_HA_CONFIG_DIR/object-store.sh"
CATALOG="$PG_HA_CONFIG_DIR/object-store-catalog.py"

# A new cluster archives to a place of its own, which must hold no WAL yet: only an in-place recovery
# (restore.from is the cluster itself) goes on where it restores from, on a new timeline.
refuse_a_used_destination() {
	[ "$PG_HA_OBJECT_STORE/$PG_HA_OBJECT_STORE_SERVER" = "$RESTORE_SOURCE" ] && return 0
	cloud check-wal-archive "$PG_HA_OBJECT_STORE" "$PG_HA_OBJECT_STORE_SERVER" ||
		die "$PG_HA_OBJECT_STORE/$PG_HA_OBJECT_STORE_SERVER already holds WAL, of another cluster or of an earlier restore: refusing to restore a new cluster that would archive into it. Restore with another name or namespace, or move those objects away (see 'Backups and point-in-time recovery' in the README)"
}

archived_segments() {
	python3 "$CATALOG" list-wal "$PG_HA_RESTORE_OBJECT_STORE" "$PG_HA_RESTORE_OBJECT_STORE_SERVER"
}

fetch_base_backup() {
	require_barman_cloud
	backups=$(cloud backup-list --format json "$PG_HA_RESTORE_OBJECT_STORE" "$PG_HA_RESTORE_OBJECT_STORE_SERVER") ||
		die "could not list the base backups in $RESTORE_SOURCE"
	backup=$(printf '%s' "$backups" | python3 "$CATALOG" choose "${PG_HA_RESTORE_TARGET_EPOCH:-}") ||
		die "no finished base backup in $RESTORE_SOURCE${PG_HA_RESTORE_TARGET_TIME:+ that ended before $PG_HA_RESTORE_TARGET_TIME}: nothing to restore from (see 'Backups and point-in-time recovery' in the README)"
	refuse_a_used_destination
	log "restoring base backup $backup of $RESTORE_SOURCE, then its archived WAL up to ${PG_HA_RESTORE_TARGET_TIME:-the end}"
	run_stoppable cloud restore "$PG_HA_RESTORE_OBJECT_STORE" "$PG_HA_RESTORE_OBJECT_STORE_SERVER" "$backup" "$PARTIAL" >&2 ||
		die "barman-cloud-restore could not download base backup $backup (its message is above)"
	write_recovery_settings "/bin/sh $OBJECT_STORE restore-wal $PG_HA_RESTORE_OBJECT_STORE $PG_HA_RESTORE_OBJECT_STORE_SERVER %f %p"
}
