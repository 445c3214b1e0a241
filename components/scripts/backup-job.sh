# Sourced by the backup Jobs' scripts (set JOB_LOG_NAME first): their log lines, and the wait for pod 0.
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
