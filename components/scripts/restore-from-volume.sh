# Sourced by restore.sh when the backups are on the backup volume (PG_HA_RESTORE_DIR): where the base backup and
# the WAL come from. Defines fetch_base_backup and archived_segments.

# The newest finished base backup that ended before the target time (the newest of all without one), of those
# a recovery can follow to the latest timeline ($1) from.
choose_base_backup() {
	chosen=
	for backup in $(finished_backups "$PG_HA_RESTORE_DIR"); do
		ended=$(sed -n 's/^end_epoch=//p' "$PG_HA_RESTORE_DIR/base/$backup/info" 2>/dev/null || :)
		[ -n "$ended" ] || continue
		on_history_of "$PG_HA_RESTORE_DIR" "$backup" "$1" || continue
		# The recorded end is at most a second before the backup's real end.
		if [ -z "${PG_HA_RESTORE_TARGET_EPOCH:-}" ] || [ $((ended + 1)) -le "$PG_HA_RESTORE_TARGET_EPOCH" ]; then
			chosen=$backup
		fi
	done
	[ -n "$chosen" ] && printf '%s\n' "$chosen"
}

# A new cluster archives into a directory of its own, which must hold no other history: only an in-place
# recovery (restore.from is the cluster itself) goes on in the directory it restores from, on a new timeline.
refuse_a_used_backup_directory() {
	[ "$PG_HA_BACKUP_DIR" = "$PG_HA_RESTORE_DIR" ] && return 0
	[ -n "$(ls -A "$PG_HA_BACKUP_DIR/wal" "$PG_HA_BACKUP_DIR/base" 2>/dev/null)" ] || return 0
	die "$PG_HA_BACKUP_DIR already holds backups, of another cluster or of an earlier restore: refusing to restore a new cluster that would archive into them. Restore with another name or namespace, or move that directory away (see 'Backups and point-in-time recovery' in the README)"
}

# The names of every archived WAL segment.
archived_segments() {
	ls "$PG_HA_RESTORE_DIR/wal" | grep -E '^[0-9A-F]{24}$' || [ $? -eq 1 ]
}

# Into $PARTIAL: the newest base backup that fits, checked, with the recovery settings that replay the archive.
fetch_base_backup() {
	latest=$(latest_timeline "$PG_HA_RESTORE_DIR")
	backup=$(choose_base_backup "$latest") ||
		die "no finished base backup in $PG_HA_RESTORE_DIR/base${PG_HA_RESTORE_TARGET_TIME:+ that ended before $PG_HA_RESTORE_TARGET_TIME}: nothing to restore from (see 'Backups and point-in-time recovery' in the README)"
	refuse_a_used_backup_directory
	log "restoring base backup $backup of $PG_HA_RESTORE_DIR, then its archived WAL up to ${PG_HA_RESTORE_TARGET_TIME:-the end} (timeline $latest)"
	run_stoppable pg_verifybackup --quiet "$PG_HA_RESTORE_DIR/base/$backup/data" >&2 ||
		die "pg_verifybackup found base backup $backup damaged since it was taken: restore another (an earlier restore.targetTime), or repair the backup volume"
	run_stoppable cp -R "$PG_HA_RESTORE_DIR/base/$backup/data" "$PARTIAL"
	rm -f "$PARTIAL/backup_manifest"
	write_recovery_settings "/bin/sh $PG_HA_CONFIG_DIR/restore-wal.sh $PG_HA_RESTORE_DIR %f %p"
}
