#!/bin/sh
# Drops the replication slots of the pods a scale-down removed: drop-slots.sh <replicas>
#
# Pod 0 keeps one physical slot per standby, named after its pod (postgresql-2: postgresql_2). The slot of an
# ordinal at or above <replicas> has no pod any more: left alone, it would keep WAL on pod 0 up to
# max_slot_wal_keep_size and, with hot_standby_feedback, an old xmin that stops VACUUM from removing dead
# rows. The component's Job runs this once the StatefulSet has the new number of pods. A slot still in use
# (its pod still stopping) is dropped once it is released. Slots of the pods that remain are never touched.
#
# Connects with the libpq environment (PGHOST, PGUSER, ...) as a superuser (see passfile.sh).
set -eu

: "${PG_HA_STATEFULSET:?PG_HA_STATEFULSET must be set}"
: "${PG_HA_SLOT_RELEASE_SECONDS:=300}"
replicas=${1:?usage: drop-slots.sh <replicas>}
case $replicas in
'' | *[!0-9]*) echo "drop-slots.sh: <replicas> must be a whole number, got $replicas" >&2 && exit 2 ;;
esac

. "${0%/*}/passfile.sh"
write_superuser_passfile

prefix=$(printf '%s_' "$PG_HA_STATEFULSET" | tr -c 'a-z0-9_' '_')

# Drops the removed pods' slots that are free; prints how many are still in use.
drop_free_slots() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -v prefix="$prefix" -v replicas="$replicas" <<-'SQL'
		CREATE TEMPORARY VIEW removed AS
		SELECT slot_name, active FROM pg_replication_slots
		WHERE slot_type = 'physical'
			AND left(slot_name, length(:'prefix')) = :'prefix'
			-- CASE, so that no cast is tried on a suffix that is not a short number (AND has no order).
			AND CASE WHEN substr(slot_name, length(:'prefix') + 1) ~ '^[0-9]{1,9}$'
				THEN substr(slot_name, length(:'prefix') + 1)::int END >= :replicas;
		SELECT 'dropped ' || slot_name || ': its pod is gone'
		FROM (SELECT slot_name, pg_drop_replication_slot(slot_name) FROM removed WHERE NOT active) dropped;
		SELECT count(*) FROM removed WHERE active;
	SQL
}

deadline=$(($(date +%s) + PG_HA_SLOT_RELEASE_SECONDS))
while :; do
	output=$(drop_free_slots)
	in_use=${output##*[!0-9]}
	printf '%s\n' "$output" | sed '$d'
	[ "$in_use" -gt 0 ] || exit 0
	if [ "$(date +%s)" -ge "$deadline" ]; then
		echo "$in_use slot(s) of removed pods still in use after ${PG_HA_SLOT_RELEASE_SECONDS}s; is a pod of ordinal $replicas or above still running?" >&2
		exit 1
	fi
	sleep 2
done
