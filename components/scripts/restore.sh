# Sourced by bootstrap.sh: pod 0 of a cluster with a `restore` setting builds its data directory from the
# backups of the cluster it names (PG_HA_RESTORE_DIR on the backup volume) instead of initialising an empty one.
#
# - Only where the bootstrap would initialise: an empty volume of a cluster never initialised. A volume that
#   holds data is never restored over, and once the restored cluster is ready the setting is read no more.
# - Built in $PARTIAL like a new cluster: the newest base backup that ended before the target time (or the
#   newest), then a private server replays the archived WAL up to the target (or to the end) and promotes.
#   Only then is the copy published; a restore interrupted half-way starts over from the base backup.
# - A target the archive does not reach is an error (PostgreSQL stops: "recovery ended before configured
#   recovery target was reached"): the pod fails loudly rather than start with less than was asked for.
# - Checked: the base backup with pg_verifybackup before it is copied; without a target time, that the replay
#   reached the newest archived segment (a missing one would end it early). A new cluster's own backup
#   directory must be empty: its archive must not mix with another history.
# - The recovery settings are the private server's alone: the published cluster, and the standbys that clone
#   it, carry none of them.

RECOVERY_SETTINGS='restore_command|recovery_target_action|recovery_target_timeline|recovery_target_time'

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

# Without a target time the recovery ends at the first segment the archive lacks: one missing in the middle
# would end it early and silently. The newest archived segment of the timeline replayed ($1) must be the last.
refuse_a_gap() {
	[ -z "${PG_HA_RESTORE_TARGET_TIME:-}" ] || return 0
	replayed=$(psql -X -A -t -h "$PRIVATE_SOCKET" -U postgres -d postgres \
		-c "SELECT pg_walfile_name(pg_last_wal_replay_lsn())") || die "could not read how far the restore replayed"
	timeline=$(printf '%08X' "$1")
	newest=$(ls "$PG_HA_RESTORE_DIR/wal" | grep -E "^$timeline[0-9A-F]{16}\$" | sort | tail -n 1)
	[ -z "$newest" ] || [ "$(printf '%s\n%s\n' "${newest#????????}" "${replayed#????????}" | sort | tail -n 1)" = "${replayed#????????}" ] ||
		die "the restore stopped at WAL segment ${replayed#????????} of timeline $timeline, but the archive holds up to $newest: a segment between is missing or unreadable. Nothing was published"
}

write_recovery_settings() {
	{
		printf "restore_command = '/bin/sh %s/restore-wal.sh %s %%f %%p'\n" "$PG_HA_CONFIG_DIR" "$PG_HA_RESTORE_DIR"
		printf "recovery_target_action = 'promote'\n"
		printf "recovery_target_timeline = 'latest'\n"
		[ -z "${PG_HA_RESTORE_TARGET_TIME:-}" ] || printf "recovery_target_time = '%s'\n" "$PG_HA_RESTORE_TARGET_TIME"
	} >>"$PARTIAL/postgresql.auto.conf"
	: >"$PARTIAL/recovery.signal"
}

remove_recovery_settings() {
	auto="$PARTIAL/postgresql.auto.conf"
	status=0
	grep -v -E "^($RECOVERY_SETTINGS) " "$auto" >"$auto.pg-ha" || status=$?
	[ "$status" -le 1 ] || die "could not rewrite $auto"
	mv "$auto.pg-ha" "$auto"
	[ ! -e "$PARTIAL/recovery.signal" ] || die "the restored server promoted but left recovery.signal behind"
}

# Waits until the private server has replayed to its target and promoted, saying how far it is meanwhile.
wait_for_promotion() {
	said=0
	while :; do
		if ! pg_ctl -D "$PARTIAL" status >/dev/null 2>&1; then
			cat "$PG_HA_RUNTIME_DIR/restore.log" >&2
			die "the restore's server stopped before it was done (its log is above): the base backup and the archived WAL do not reach restore.targetTime, or a file could not be read"
		fi
		state=$(psql -X -A -t -h "$PRIVATE_SOCKET" -U postgres -d postgres \
			-c "SELECT pg_is_in_recovery() || '|' || coalesce(pg_last_xact_replay_timestamp()::text, 'no transaction yet')" \
			2>/dev/null || :)
		[ "${state%%|*}" = false ] && return 0
		if [ $(($(date +%s) - said)) -ge 30 ] && [ -n "$state" ]; then
			log "replaying archived WAL: at the transaction of ${state#*|}"
			said=$(date +%s)
		fi
		run_stoppable sleep 1
	done
}

restore_primary() {
	latest=$(latest_timeline "$PG_HA_RESTORE_DIR")
	backup=$(choose_base_backup "$latest") ||
		die "no finished base backup in $PG_HA_RESTORE_DIR/base${PG_HA_RESTORE_TARGET_TIME:+ that ended before $PG_HA_RESTORE_TARGET_TIME}: nothing to restore from (see 'Backups and point-in-time recovery' in the README)"
	refuse_a_used_backup_directory
	log "restoring base backup $backup of $PG_HA_RESTORE_DIR, then its archived WAL up to ${PG_HA_RESTORE_TARGET_TIME:-the end} (timeline $latest)"
	run_stoppable pg_verifybackup --quiet "$PG_HA_RESTORE_DIR/base/$backup/data" >&2 ||
		die "pg_verifybackup found base backup $backup damaged since it was taken: restore another (an earlier restore.targetTime), or repair the backup volume"
	run_stoppable cp -R "$PG_HA_RESTORE_DIR/base/$backup/data" "$PARTIAL"
	chmod 0700 "$PARTIAL"
	rm -f "$PARTIAL/backup_manifest"
	write_recovery_settings
	# A recovery may take hours: pg_ctl waits only until the server is consistent, then the loop takes over.
	start_private_server restore.log 86400
	wait_for_promotion
	refuse_a_gap "$latest"
	log "the restored server replayed to its target and promoted"
	stop_private_server
	remove_recovery_settings
	publish
}
