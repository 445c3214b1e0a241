#!/bin/sh
# Kubernetes probes, run inside the container: probe.sh startup|liveness|readiness
#
# startup: waits, up to PG_HA_STARTUP_WAIT_SECONDS, for the pod to be ready (below), so that a normal start
#   is over before the readiness probe first runs: each failed probe is a Warning event, and a pod that
#   starts as it should raises none (a standby started with pod 0, as with Parallel, included). Once the
#   wait is up it passes like liveness: a long clone, crash recovery or a long wait for pod 0 goes on, and
#   from then on the readiness probe says why the pod is not ready.
# liveness: the bootstrap is still at work (waiting for the primary, initialising, cloning), or the server
#   process answers (accepting connections, or still starting/recovering). It does not look at the primary,
#   so a standby is not restarted only because the primary is down, nor a long clone cut short.
# readiness: pod 0 accepts writes; any other pod is a standby whose WAL receiver is streaming (when not, its
#   output says why, for the pod's events). pg_isready alone is not enough: a standby whose slot was
#   invalidated still answers but never catches up. Its WAL receiver shows "streaming" for the moment between
#   connecting and being refused, and dies within milliseconds of its start (about 15 ms here; a new one
#   follows only every wal_retrieve_retry_interval, 5s), so the streaming receiver must have existed for
#   200 ms. A standby whose primary is away (pod 0 restarting: no writes happen meanwhile, so its data is as
#   recent as it gets) stays ready for PG_HA_STANDBY_MAX_LAG_SECONDS after it last streamed, so reads through
#   -r go on. One that does not stream while pod 0 accepts connections is broken (its slot lost, its
#   connection refused) and is not ready; if its slot is missing, it makes it there (make_missing_slot).
#   Each readiness probe also keeps the pod in step with its mounted Secrets (keep-in-step.sh).
set -u

: "${PGHOST:=/var/run/postgresql}"
: "${PG_HA_RUNTIME_DIR:=/var/run/postgresql}"
: "${PG_HA_STANDBY_MAX_LAG_SECONDS:=0}"
: "${PG_HA_STARTUP_WAIT_SECONDS:=0}"
export PGHOST
. "${0%/*}/passfile.sh"
. "${0%/*}/keep-in-step.sh"
# Touched by each readiness probe that finds the standby streaming; an emptyDir file, so it outlives a
# restart of the container but not the pod.
STREAMED="$PG_HA_RUNTIME_DIR/streamed"

server_answers() {
	pg_isready -q -t 3
	# 0: accepting connections; 1: rejecting while it starts up or recovers, but alive.
	[ $? -le 1 ]
}

query() {
	psql -X -A -t -q -U postgres -d postgres -c "$1"
}

# "ok" when pod 0 accepts writes, else why not.
primary_state() {
	query "SELECT CASE WHEN pg_is_in_recovery() THEN 'in recovery'
		WHEN current_setting('transaction_read_only') = 'on' THEN 'read-only' ELSE 'ok' END"
}

# "ok" when this standby's WAL receiver streams (for 200 ms, see above), else its state and how long ago
# pod 0 last sent something; nothing when there is no WAL receiver.
standby_state() {
	query "SELECT CASE WHEN r.status = 'streaming' AND clock_timestamp() - a.backend_start > interval '200 ms'
			THEN 'ok' ELSE 'its WAL receiver is ' || r.status END
		|| coalesce(', last message from pod 0 ' || round(extract(epoch FROM clock_timestamp() - r.last_msg_receipt_time)) || ' s ago', '')
		FROM pg_stat_wal_receiver r JOIN pg_stat_activity a ON a.pid = r.pid"
}

# Whether the readiness probe would pass, without its side effects.
ready_quietly() {
	pg_isready -q -t 1 || return 1
	if [ "$ordinal" = 0 ]; then
		[ "$(primary_state 2>/dev/null)" = ok ]
	else
		case $(standby_state 2>/dev/null) in ok*) return 0 ;; *) return 1 ;; esac
	fi
}

# A standby that has its data but whose slot is gone from pod 0 never streams ("replication slot … does not
# exist"): its pod was scaled away and back (the maintenance Job dropped the slot), or pod 0 was rebuilt. The
# probe makes the slot again, with the standby's own replication connection, reserving WAL from now: if the
# WAL it still needs is gone too, it does not catch up and must be cloned again. Prints what it did.
make_missing_slot() {
	slot=$(query "SHOW primary_slot_name")
	conninfo=$(query "SHOW primary_conninfo")
	[ -n "$slot" ] && [ -n "$conninfo" ] || return 0
	# Within the probe's 5 s: a later keyword wins in a conninfo string.
	conninfo="$conninfo connect_timeout=2"
	found=$(psql -X -A -t -q -d "$conninfo replication=true" -c "READ_REPLICATION_SLOT $slot" 2>/dev/null) || return 0
	[ -z "${found%%|*}" ] || return 0
	if psql -X -q -d "$conninfo replication=true" -c "CREATE_REPLICATION_SLOT $slot PHYSICAL RESERVE_WAL" >/dev/null 2>&1; then
		printf '; made its missing replication slot %s on pod 0' "$slot"
	fi
}

# A standby connects to the address the -rw Service had at its start (hostaddr, see rw_hostaddr in
# bootstrap.sh). If the Service was re-created on another one, the standby follows it: the WAL receiver starts
# again on the new primary_conninfo. Prints what it did.
follow_rw_address() {
	conninfo=$(query "SHOW primary_conninfo")
	case $conninfo in *" hostaddr="*) ;; *) return 0 ;; esac
	rest=${conninfo#* hostaddr=}
	old=${rest%% *}
	new=$(RES_OPTIONS="timeout:1 attempts:1" getent hosts "$PG_HA_RW_HOST" | { read -r address _ && echo "$address"; }) || return 0
	[ -n "$new" ] && [ "$new" != "$old" ] || return 0
	psql -X -q -U postgres -d postgres -v conninfo="${conninfo%% hostaddr=*} hostaddr=$new${rest#"$old"}" <<-'SQL' >/dev/null 2>&1 || return 0
		ALTER SYSTEM SET primary_conninfo = :'conninfo';
		SELECT pg_reload_conf();
	SQL
	printf '; follows the -rw Service to its new address %s' "$new"
}

ordinal=$(uname -n)
ordinal=${ordinal##*-}

case ${1:-} in
startup)
	deadline=$(($(date +%s) + PG_HA_STARTUP_WAIT_SECONDS))
	until ready_quietly; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			[ -e "$PG_HA_RUNTIME_DIR/bootstrapping" ] || server_answers
			exit
		fi
		sleep 0.5
	done
	;;
liveness)
	[ -e "$PG_HA_RUNTIME_DIR/bootstrapping" ] || server_answers
	;;
readiness)
	# A probe that fails says why: the kubelet puts its output into the pod's events.
	if ! pg_isready -q -t 3; then
		echo "not ready: PostgreSQL does not accept connections yet (starting, recovering, or the bootstrap is at work)"
		exit 1
	fi
	keep_in_step "$ordinal"
	if [ "$ordinal" = 0 ]; then
		state=$(primary_state)
		[ "$state" = ok ] && exit 0
		echo "not ready: pod 0 does not accept writes (${state:-no answer})"
	else
		state=$(standby_state)
		case $state in
		ok*)
			touch "$STREAMED"
			exit 0
			;;
		"") reason="no WAL receiver: pod 0 unreachable, or refused it" ;;
		*) reason=$state ;;
		esac
		since=
		[ -e "$STREAMED" ] && since=$(($(date +%s) - $(stat -c %Y "$STREAMED")))
		if pg_isready -q -h "${PG_HA_RW_HOST:?}" -p "${PG_HA_PORT:-5432}" -t 2; then
			reason="$reason, while pod 0 accepts connections$(follow_rw_address)$(make_missing_slot)"
		elif [ -n "$since" ] && [ "$since" -le "$PG_HA_STANDBY_MAX_LAG_SECONDS" ]; then
			echo "ready: pod 0 is away, and this standby streamed ${since} s ago (at most ${PG_HA_STANDBY_MAX_LAG_SECONDS} s)"
			exit 0
		fi
		echo "not ready: this standby does not stream from pod 0 ($reason${since:+; streamed last $since s ago})"
	fi
	exit 1
	;;
*)
	echo "usage: probe.sh startup|liveness|readiness" >&2
	exit 2
	;;
esac
