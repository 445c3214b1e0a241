#!/bin/sh
# Container entrypoint of every pod of the StatefulSet.
#
# Pod 0 is the permanent primary; pods 1..N-1 are hot standbys streaming from it. The role comes from the
# ordinal at the end of the hostname, which Kubernetes sets to the pod name.
#
# Data safety rules:
# - A data directory that holds a cluster (PG_VERSION present) is never re-initialised or re-cloned.
# - New clusters and clones are built in "$PGDATA.partial" and renamed into place only when complete, so a
#   pod killed half-way leaves nothing that can be mistaken for a cluster; the partial copy is discarded.
# - A complete copy is on disk before it is renamed: initdb and pg_basebackup skip their fsync of every
#   file, and one syncfs of the volume (sync -f) flushes every file and directory of it at once, faster
#   (BENCHMARKS.md). Linux reports writeback errors through syncfs since 5.8.
# - A non-empty PGDATA without PG_VERSION is not ours to delete: the pod refuses to start.
# - A data volume belongs to one pod of one cluster: the first start writes "<namespace>/<pod>" into
#   .pg-ha-owner on it, and a pod of another name or namespace refuses it (a renamed cluster, two stacks, or
#   swapped NFS paths would otherwise run two servers on one data directory, or a standby's copy as pod 0).
# - One server per data directory: the bootstrap takes an exclusive lock on the volume and the server
#   inherits it, so the lock lives exactly as long as the pod's processes. A second pod of the same name (one
#   force-deleted from an unreachable node comes back elsewhere while the first may still run) refuses.
# - Creating a cluster is an explicit intent: pod 0 initialises an empty volume only while the cluster has
#   never been initialised. The program records the first initialisation in a ConfigMap outside the volume
#   (PG_HA_CLUSTER_INITIALISED); with it, an empty volume is a lost or wrongly mounted one, never a new cluster.
# - Pod 0 with an empty volume does not initialise a new, empty primary while a standby of the old one is
#   running: the standbys would hold the only copy of the data.
# - The server's major version and the data directory's agree: PostgreSQL cannot read another major's files.
set -eu

. "${0%/*}/passfile.sh"
. "${0%/*}/keep-in-step.sh"
. "${0%/*}/backup-directory.sh"
. "${0%/*}/restore.sh"

: "${PGDATA:?PGDATA must be set}"
: "${PG_HA_CONFIG_DIR:?PG_HA_CONFIG_DIR must be set}"
: "${PG_HA_PRIMARY_HOST:?PG_HA_PRIMARY_HOST must be set}"
: "${PG_HA_RW_HOST:?PG_HA_RW_HOST must be set}"
: "${PG_HA_PORT:=5432}"
: "${PG_HA_REPLICATION_USER:?PG_HA_REPLICATION_USER must be set}"
: "${PG_HA_SUPERUSER_PASSWORD_FILE:?PG_HA_SUPERUSER_PASSWORD_FILE must be set}"
: "${PG_HA_REPLICATION_PASSWORD_FILE:?PG_HA_REPLICATION_PASSWORD_FILE must be set}"
: "${PG_HA_PRIMARY_WAIT_SECONDS:=300}"
: "${PG_HA_RUNTIME_DIR:=/var/run/postgresql}"
: "${PG_HA_NAMESPACE:?PG_HA_NAMESPACE must be set}"
: "${PG_HA_CLUSTER_INITIALISED:=}"
: "${PG_HA_MIN_POSTGRES_MAJOR:?PG_HA_MIN_POSTGRES_MAJOR must be set}"

POD_NAME=$(uname -n)
ORDINAL=${POD_NAME##*-}
PARTIAL="$PGDATA.partial"
OWNER_FILE="${PGDATA%/*}/.pg-ha-owner"
OWNER="$PG_HA_NAMESPACE/$POD_NAME"
LOCK_FILE="${PGDATA%/*}/.pg-ha-lock"
# The standby's replication slot on pod 0, named after the pod (a slot name allows a-z, 0-9 and _ only).
SLOT=$(printf '%s' "$POD_NAME" | tr -c 'a-z0-9_' '_')
# How a standby reaches the primary: through the read-write Service, not pod 0's own DNS name. When pod 0
# comes back on a new address, its own name does not resolve for a while and then resolves to the old
# address (the cluster DNS caches both, up to its TTL: 30 s in kubeadm's default CoreDNS), while the
# Service's name keeps its one ClusterIP, which kube-proxy points at pod 0 as soon as pod 0 is ready. libpq
# gives up on a primary that does not answer: a connect fails after connect_timeout (tcp_user_timeout for
# the WAL receiver, which connects without blocking and so without connect_timeout) instead of the kernel's
# minutes of SYN retries, and a connection whose peer vanished without a reset ends once its keepalives or
# unacknowledged data (tcp_user_timeout, ms) go unanswered. The WAL receiver then retries.
# With TLS on, pod 0 must present a certificate for that name, signed by the cluster's CA (verify-full): the
# replication password goes to no one else.
STANDBY_CONNINFO="host=$PG_HA_RW_HOST port=$PG_HA_PORT user=$PG_HA_REPLICATION_USER passfile=$REPLICATION_PASSFILE application_name=$POD_NAME connect_timeout=5 keepalives=1 keepalives_idle=5 keepalives_interval=2 keepalives_count=3 tcp_user_timeout=5000$(tls_conninfo verify-full)"
# While it exists, the startup and liveness probes pass: waiting for the primary or cloning a large
# database takes long, and killing the container would only start the clone over.
BOOTSTRAPPING="$PG_HA_RUNTIME_DIR/bootstrapping"

log() {
	printf '%s pg-ha %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$POD_NAME" "$*" >&2
}

die() {
	log "$*"
	exit 1
}

# The shell is the container's PID 1 until it becomes PostgreSQL, and PID 1 ignores a stop signal it has no
# handler for: without these, a pod deleted while it waits for the primary or clones would last its whole
# grace period. Long steps run in the background (run_stoppable) because the shell handles a signal only
# between commands; the step's partial copy is discarded by the next start.
STEP_PID=
stop_now() {
	log "received $1: stopping"
	[ -z "$STEP_PID" ] || kill -TERM "$STEP_PID" 2>/dev/null || :
	exit 143
}
trap 'stop_now SIGTERM' TERM
trap 'stop_now SIGINT' INT

run_stoppable() {
	"$@" &
	STEP_PID=$!
	step_status=0
	wait "$STEP_PID" || step_status=$?
	STEP_PID=
	return "$step_status"
}

# Held from here on by every process of the pod, PostgreSQL included (exec keeps the descriptor): the kernel
# releases it when the last of them ends. On NFS the lock lives on the server, with a lease a partitioned
# client loses, so a second instance can take it only once the first is gone or cut off.
lock_volume() {
	command -v flock >/dev/null || die "flock is missing from the image (util-linux, or busybox): without it nothing stops two servers from sharing this data directory"
	exec 9>>"$LOCK_FILE"
	flock -n 9 || die "another instance of $POD_NAME holds the lock on this data volume ($LOCK_FILE): refusing to start a second server on the same data directory. If its node is unreachable, this pod starts once the old one is gone: see 'Node failure' in the README before force-deleting anything"
}

server_major() {
	postgres --version | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p'
}

check_versions() {
	major=$(server_major)
	[ -n "$major" ] || die "could not read the server's version from 'postgres --version'"
	[ "$major" -ge "$PG_HA_MIN_POSTGRES_MAJOR" ] || die "this image runs PostgreSQL $major; pg-ha needs $PG_HA_MIN_POSTGRES_MAJOR or later (set image to postgres:$PG_HA_MIN_POSTGRES_MAJOR or newer)"
	if is_initialised; then
		data_major=$(cat "$PGDATA/PG_VERSION")
		[ "$data_major" = "$major" ] || die "the data directory holds PostgreSQL $data_major data but this image runs PostgreSQL $major: a server cannot open another major's files. Set image back to PostgreSQL $data_major, or follow 'Major upgrades' in the README"
	fi
}

is_initialised() {
	[ -s "$PGDATA/PG_VERSION" ]
}

# Refuses to touch a PGDATA that holds something other than a cluster; removes an empty one so that the
# finished copy can be renamed into place.
prepare_target() {
	if [ -d "$PGDATA" ]; then
		if [ -n "$(ls -A "$PGDATA")" ]; then
			die "$PGDATA is not empty but holds no PostgreSQL cluster (no PG_VERSION); refusing to overwrite it"
		fi
		rmdir "$PGDATA"
	fi
	if [ -e "$PARTIAL" ]; then
		log "discarding the incomplete copy left by an interrupted start: $PARTIAL"
		rm -rf "$PARTIAL"
	fi
}

publish() {
	sync -f "$PARTIAL"
	mv "$PARTIAL" "$PGDATA"
}

start_postgres() {
	log "starting PostgreSQL as $1"
	rm -f "$BOOTSTRAPPING"
	exec postgres -D "$PGDATA"
}

check_owner() {
	if [ -e "$OWNER_FILE" ] && [ "$(cat "$OWNER_FILE")" != "$OWNER" ]; then
		die "this data volume belongs to $(cat "$OWNER_FILE"), not to $OWNER; refusing to use it (see 'Settings that replace objects' in the README)"
	fi
}

claim_volume() {
	check_owner
	[ -e "$OWNER_FILE" ] || printf '%s\n' "$OWNER" >"$OWNER_FILE"
}

refuse_if_initialised_before() {
	if [ -n "$PG_HA_CLUSTER_INITIALISED" ]; then
		die "the data volume is empty, but this cluster was initialised before ($PG_HA_CLUSTER_INITIALISED): refusing to initialise a new, empty primary in place of its data. The volume is lost or not the right one (an unmounted export, a wrong path, a new claim): give pod 0 its volume back, see 'Recovering pod 0' in the README; to start over with an empty cluster on purpose, see 'Re-initialising a cluster'"
	fi
}

# Any standby that still answers means the cluster's data lives on: pod 0 must get its volume back (or be
# re-created by the operator on purpose), not start an empty primary the standbys cannot follow.
# The headless Service publishes every pod that exists, ready or not: one lookup lists them all, where a
# name per possible ordinal would cost a resolver timeout each while the DNS does not answer. An answer
# counts only if it lists this pod too: then it is current and whole, not the empty reply of a DNS that lost
# a packet or has not caught up. The lookup is asked again every second; after PODS_LOOKUP_SECONDS without
# such an answer the bootstrap refuses, since it cannot tell whether standbys run, and the pod restarts.
PODS_LOOKUP_SECONDS=30
refuse_if_standbys_run() {
	# Absolute (the trailing dot): no search list, whose other domains could answer for it.
	headless="${PG_HA_PRIMARY_HOST#*.}.${PG_HA_RW_HOST#*.}."
	pods="$PG_HA_RUNTIME_DIR/pods"
	own=" $(getent ahosts "$POD_NAME" | while read -r address _; do printf '%s ' "$address"; done)"
	deadline=$(($(date +%s) + PODS_LOOKUP_SECONDS))
	until RES_OPTIONS="timeout:1 attempts:1" getent ahosts "$headless" >"$pods" && lists_one_of "$pods" "$own"; do
		[ "$(date +%s)" -lt "$deadline" ] ||
			die "the cluster DNS did not list this pod among the pods of $headless within ${PODS_LOOKUP_SECONDS}s: refusing to initialise a new, empty primary while it cannot tell whether standbys run; the pod restarts and asks again"
		run_stoppable sleep 1
	done
	seen=$own
	while read -r address _; do
		case $seen in *" $address "*) continue ;; esac
		seen="$seen$address "
		if answers "$address"; then
			die "the data volume is empty but a standby at $address is running: refusing to initialise a new, empty primary in place of the cluster it follows (see 'Recovering pod 0' in the README)"
		fi
	done <"$pods"
}

# Whether the getent output in file $1 lists an address of the list $2 (" a b ").
lists_one_of() {
	while read -r address _; do
		case $2 in *" $address "*) return 0 ;; esac
	done <"$1"
	return 1
}

# Whether a server listens at address $1, or is starting there. A connection refused at once means nothing
# listens; one that gets no answer at all may be a NetworkPolicy that does not admit this pod's address yet:
# asked again, for about 10 s.
answers() {
	tries=5
	while [ "$tries" -gt 0 ]; do
		asked=$(date +%s)
		status=0
		pg_isready -q -h "$1" -p "$PG_HA_PORT" -t 2 || status=$?
		# 0: accepting connections; 1: rejecting them while it starts or recovers.
		if [ "$status" -le 1 ]; then
			return 0
		fi
		if [ $(($(date +%s) - asked)) -lt 2 ]; then
			return 1
		fi
		tries=$((tries - 1))
	done
	return 1
}

# A server on $PARTIAL that listens on no address and on a socket only this user can reach: clients and the
# probes (which use PGHOST) must not mistake it for the primary, nor have their connections cut when it stops.
# Its log is on the runtime emptyDir, which nobody can read once the pod crash-loops: shown on failure.
PRIVATE_SOCKET="$PG_HA_RUNTIME_DIR/init"
# start_private_server <log> <timeout> [<more server options>]
start_private_server() {
	rm -rf "$PRIVATE_SOCKET"
	mkdir -m 0700 "$PRIVATE_SOCKET"
	if ! run_stoppable pg_ctl -D "$PARTIAL" -w -t "$2" -l "$PG_HA_RUNTIME_DIR/$1" \
		-o "-c listen_addresses='' -c unix_socket_directories='$PRIVATE_SOCKET' ${3:-}" start >&2; then
		cat "$PG_HA_RUNTIME_DIR/$1" >&2
		die "the private server on $PARTIAL did not start (its log is above)"
	fi
}

stop_private_server() {
	run_stoppable pg_ctl -D "$PARTIAL" -w -t 3600 -m fast stop >&2
	rmdir "$PRIVATE_SOCKET"
}

init_primary() {
	log "initialising a new cluster"
	run_stoppable initdb -D "$PARTIAL" --username=postgres --pwfile="$PG_HA_SUPERUSER_PASSWORD_FILE" \
		--auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --data-checksums --no-sync >&2
	# The settings live in the ConfigMap so that every pod, and every later change, reads one copy.
	printf "\ninclude '%s/postgresql.conf'\n" "$PG_HA_CONFIG_DIR" >>"$PARTIAL/postgresql.conf"

	start_private_server init.log 60
	# The password travels as a psql variable read from the mounted file: never on a command line, and
	# quoted by psql so that quotes, backslashes and dollars are safe; no-statement-logging.sql keeps the
	# statement out of every log.
	psql -X -q -v ON_ERROR_STOP=1 -h "$PRIVATE_SOCKET" -U postgres -d postgres \
		-v role="$PG_HA_REPLICATION_USER" -v password_file="$PG_HA_REPLICATION_PASSWORD_FILE" \
		-v quiet="$PG_HA_CONFIG_DIR/no-statement-logging.sql" <<-'SQL'
		\i :quiet
		\set password `cat :'password_file'`
		CREATE ROLE :"role" WITH REPLICATION LOGIN PASSWORD :'password';
	SQL
	stop_private_server
	publish
}


# Through the Service the clone will use, so that it answers only once pod 0 is ready. pg_isready sends no
# password, so waiting does not fill the primary's log with failed logins.
wait_for_primary() {
	deadline=$(($(date +%s) + PG_HA_PRIMARY_WAIT_SECONDS))
	until pg_isready -q -h "$PG_HA_RW_HOST" -p "$PG_HA_PORT" -t 2; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			die "primary $PG_HA_RW_HOST:$PG_HA_PORT did not answer within ${PG_HA_PRIMARY_WAIT_SECONDS}s; exiting so that Kubernetes restarts this pod"
		fi
		run_stoppable sleep 1
	done
}

clone_replica() {
	log "waiting for the primary $PG_HA_RW_HOST:$PG_HA_PORT"
	wait_for_primary
	claim_volume
	# A slot survives a wiped replica: reuse it rather than fail with "already exists". A slot whose WAL was
	# removed (max_slot_wal_keep_size) has no restart_lsn any more and cannot feed a clone: make it anew.
	# The row is slot_type|restart_lsn|restart_tli, all empty when there is no such slot.
	slot_row=$(psql -X -A -t -d "$STANDBY_CONNINFO replication=true" -c "READ_REPLICATION_SLOT $SLOT")
	slot_type=${slot_row%%|*}
	slot_lsn=${slot_row#*|}
	slot_lsn=${slot_lsn%%|*}
	if [ -n "$slot_type" ] && [ -z "$slot_lsn" ]; then
		log "dropping replication slot $SLOT: its WAL was removed"
		psql -X -q -d "$STANDBY_CONNINFO replication=true" -c "DROP_REPLICATION_SLOT $SLOT" >&2
		slot_type=
	fi
	if [ -n "$slot_type" ]; then
		log "reusing replication slot $SLOT"
		create_slot=
	else
		log "creating replication slot $SLOT"
		create_slot=--create-slot
	fi
	log "cloning the primary"
	# The manifest lists every file with its size, for pg_verifybackup, but without a checksum of every
	# byte, which costs about a tenth of the clone's time (BENCHMARKS.md). publish syncs the copy.
	run_stoppable pg_basebackup -D "$PARTIAL" -d "$STANDBY_CONNINFO" --write-recovery-conf --wal-method=stream \
		--slot="$SLOT" $create_slot --checkpoint=fast --manifest-checksums=NONE --no-sync >&2
	publish
}

# pg_basebackup --write-recovery-conf put primary_conninfo into postgresql.auto.conf, which overrides
# postgresql.conf: every start writes the current one there, so that a standby cloned by an older version
# gets it too. The server is not running, so nothing else writes the file now.
#
# When TLS has just been turned on, the update restarts the standbys before pod 0, which serves no TLS until
# it restarts too: a standby that never streamed with TLS, and finds pod 0 offering none, streams with
# sslmode=prefer meanwhile (as it did before), and its readiness probe switches it to verify-full once pod 0
# presents a certificate it can verify (keep-in-step.sh). A standby that streamed with verify-full once never
# goes back, and no standby falls back from a pod 0 that offers TLS with a certificate it cannot verify.
# The -rw Service's address, as " hostaddr=<it>", looked up once here: it does not change while the Service
# exists, and with it the WAL receiver reaches pod 0 without asking the cluster DNS, which may not answer for
# tens of seconds while pod 0 restarts (43 s measured on the e2e cluster). host= still names the Service, for
# TLS. A standby whose Service was re-created on another address follows it through its readiness probe
# (follow_rw_address in probe.sh). Nothing when the name does not resolve: then the receiver looks it up.
rw_hostaddr() {
	RES_OPTIONS="timeout:1 attempts:2" getent hosts "$PG_HA_RW_HOST" | { read -r address _ && printf ' hostaddr=%s' "$address"; } || :
}

set_primary_conninfo() {
	auto="$PGDATA/postgresql.auto.conf"
	[ -f "$auto" ] || die "$auto is missing: this standby's data directory is incomplete"
	conninfo="$STANDBY_CONNINFO$(rw_hostaddr)"
	rm -f "$TLS_PENDING"
	if [ -n "${PG_HA_TLS_CA_FILE:-}" ] &&
		[ "$(effective_sslmode "$(grep '^primary_conninfo' "$auto" || :)")" != verify-full ] &&
		! primary_offers_tls; then
		log "pod 0 offers no TLS yet (TLS was just turned on): streaming with sslmode=prefer until it presents a certificate signed by the cluster's CA"
		conninfo="$conninfo sslmode=prefer"
		: >"$TLS_PENDING"
	fi
	(
		umask 077
		# grep exits 1 when no other line is left, 2 when it cannot read the file: only 2 is an error.
		status=0
		grep -v '^primary_conninfo' "$auto" >"$auto.pg-ha" || status=$?
		[ "$status" -le 1 ] || exit 1
		printf "primary_conninfo = '%s'\n" "$conninfo" >>"$auto.pg-ha"
	) || die "could not rewrite primary_conninfo in $auto"
	if grep -q '^primary_slot_name' "$auto" && ! grep -q '^primary_slot_name' "$auto.pg-ha"; then
		die "rewriting $auto lost primary_slot_name; left it unchanged"
	fi
	# On disk before it replaces the old file: a crash must not leave an empty one.
	sync "$auto.pg-ha"
	mv "$auto.pg-ha" "$auto"
}

case $ORDINAL in
'' | *[!0-9]*) die "hostname $POD_NAME does not end in a StatefulSet ordinal" ;;
esac

if [ -n "${PG_HA_TLS_CA_FILE:-}" ]; then
	for file in "$PG_HA_TLS_CERT_FILE" "$PG_HA_TLS_KEY_FILE" "$PG_HA_TLS_CA_FILE"; do
		[ -s "$file" ] || die "TLS is on but $file is missing or empty: the TLS Secret must hold tls.crt, tls.key and the CA in ca.crt (see 'TLS' in the README)"
	done
	# What the server is about to read: the readiness probe reloads it when the Secret's files change.
	record_tls_files
fi

: >"$BOOTSTRAPPING"
lock_volume
check_owner
check_versions

if [ "$ORDINAL" -eq 0 ]; then
	if ! is_initialised; then
		refuse_if_initialised_before
		refuse_if_standbys_run
		claim_volume
		prepare_target
		if [ -n "${PG_HA_RESTORE_DIR:-}${PG_HA_RESTORE_OBJECT_STORE:-}" ]; then
			restore_primary
		else
			init_primary
		fi
	fi
	claim_volume
	start_postgres primary
fi

write_replication_passfile || die "could not write the replication passfile $REPLICATION_PASSFILE"
[ -z "${PG_HA_TLS_CA_FILE:-}" ] || trust_current_and_recorded_ca
if ! is_initialised; then
	prepare_target
	clone_replica
fi
claim_volume
set_primary_conninfo
start_postgres "standby of $PG_HA_RW_HOST"
