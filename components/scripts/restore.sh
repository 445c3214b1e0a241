# Sourced by bootstrap.sh: pod 0 of a cluster with a `restore` setting builds its data directory from the
# backups of the cluster it names instead of initialising an empty one: on the backup volume (PG_HA_RESTORE_DIR,
# restore-from-volume.sh) or in the object store (PG_HA_RESTORE_OBJECT_STORE, restore-from-object-store.sh).
#
# - Only where the bootstrap would initialise: an empty volume of a cluster never initialised. A volume that
#   holds data is never restored over, and once the restored cluster is ready the setting is read no more.
# - Built in $PARTIAL like a new cluster: the newest base backup that ended before the target time (or the
#   newest), then a private server replays the archived WAL up to the target (or to the end) and promotes.
#   Only then is the copy published; a restore interrupted half-way starts over from the base backup.
# - A target the archive does not reach is an error (PostgreSQL stops: "recovery ended before configured
#   recovery target was reached"): the pod fails loudly rather than start with less than was asked for.
# - Checked: on the volume, the base backup with pg_verifybackup before it is copied; without a target time,
#   that the replay reached the newest archived segment (a missing one would end it early). A new cluster's
#   own backup directory (or place in the object store) must hold no WAL: its archive must not mix with
#   another history.
# - The recovery settings are the private server's alone: the published cluster, and the standbys that clone
#   it, carry none of them.

RECOVERY_SETTINGS='restore_command|recovery_target_action|recovery_target_timeline|recovery_target_time'

# Without a target time the recovery ends at the first segment the archive lacks: one missing in the middle
# would end it early and silently. The newest segment of the timeline replayed ($1, in hex) that was archived
# before the replay started ($ARCHIVED_BEFORE: the source may go on archiving meanwhile) must be replayed.
refuse_a_gap() {
	[ -z "${PG_HA_RESTORE_TARGET_TIME:-}" ] || return 0
	replayed=$(psql -X -A -t -h "$PRIVATE_SOCKET" -U postgres -d postgres \
		-c "SELECT pg_walfile_name(pg_last_wal_replay_lsn())") || die "could not read how far the restore replayed"
	newest=$(grep -E "^$1[0-9A-F]{16}\$" "$ARCHIVED_BEFORE" | sort | tail -n 1)
	[ -z "$newest" ] || [ "$(printf '%s\n%s\n' "${newest#????????}" "${replayed#????????}" | sort | tail -n 1)" = "${replayed#????????}" ] ||
		die "the restore stopped at WAL segment ${replayed#????????} of timeline $1, but the archive holds up to $newest: a segment between is missing or unreadable. Nothing was published"
}

# $1: the restore_command.
write_recovery_settings() {
	{
		printf "restore_command = '%s'\n" "$1"
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

# The timeline the private server replayed, in hex: the parent of the one it promoted to.
replayed_timeline() {
	promoted=$(psql -X -A -t -h "$PRIVATE_SOCKET" -U postgres -d postgres \
		-c "SELECT lpad(to_hex(timeline_id), 8, '0') FROM pg_control_checkpoint()") ||
		die "could not read the restored server's timeline"
	history="$PARTIAL/pg_wal/$(printf '%s' "$promoted" | tr 'a-f' 'A-F').history"
	parent=$(sed -n 's/^\([0-9][0-9]*\)[[:space:]].*/\1/p' "$history" 2>/dev/null | tail -n 1)
	[ -n "$parent" ] || die "could not read the history of the restored server's timeline from $history"
	printf '%08X' "$parent"
}

# From the base backup in $PARTIAL with its recovery settings written: replays, promotes, checks, publishes.
replay_and_publish() {
	chmod 0700 "$PARTIAL"
	ARCHIVED_BEFORE="$PG_HA_RUNTIME_DIR/archived-before-restore"
	archived_segments >"$ARCHIVED_BEFORE" || die "could not list the archived WAL"
	# A recovery may take hours: pg_ctl waits only until the server is consistent, then the loop takes over.
	# The private server archives nothing (an empty archive_command keeps each finished file ready for the
	# published server to archive): a restore that fails after the promotion, and starts over, then finds the
	# new cluster's own place in the archive as empty as the first time.
	start_private_server restore.log 86400 "-c archive_command=''"
	wait_for_promotion
	refuse_a_gap "$(replayed_timeline)"
	log "the restored server replayed to its target and promoted"
	stop_private_server
	remove_recovery_settings
	publish
}

restore_primary() {
	if [ -n "${PG_HA_RESTORE_OBJECT_STORE:-}" ]; then
		. "$PG_HA_CONFIG_DIR/restore-from-object-store.sh"
	else
		. "$PG_HA_CONFIG_DIR/restore-from-volume.sh"
	fi
	fetch_base_backup
	replay_and_publish
}
