# Sourced by the backup scripts, the Jobs' and pod 0's object-store.sh (set JOB_LOG_NAME first): their log lines,
# the wait for pod 0, and the check that its WAL archiving works.
: "${PG_HA_PRIMARY_WAIT_SECONDS:=300}"

log() {
	printf '%s pg-ha %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$JOB_LOG_NAME" "$*" >&2
}

die() {
	log "$*"
	exit 1
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

# refuse_while_archiving_fails <what follows> [psql options]: fails, saying so, while pod 0's archiving fails.
refuse_while_archiving_fails() {
	consequence=$1
	shift
	failure=$(psql -X -A -t "$@" -c "SELECT 'failing since ' || last_failed_time || ' (last failed: ' || last_failed_wal || ')'
		FROM pg_stat_archiver WHERE last_failed_time > coalesce(last_archived_time, '-infinity')") ||
		die "could not read pod 0's archiver status"
	[ -z "$failure" ] ||
		die "WAL archiving on pod 0 is $failure: $consequence (see 'Backups and point-in-time recovery' in the README)"
}
