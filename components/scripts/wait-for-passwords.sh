#!/bin/sh
# The maintenance Job's first step: waits until the superuser and replication passwords in the mounted
# Secret are the ones pod 0 accepts, so that a `pulumi up` that changes them ends once they are in effect.
# Pod 0 applies a changed Secret by itself (keep-in-step.sh) once the kubelet has updated its copy. Connects
# through the -rw Service with the libpq environment; the passwords are in passfiles, never on a command line.
set -eu

: "${PG_HA_REPLICATION_USER:?PG_HA_REPLICATION_USER must be set}"
: "${PG_HA_REPLICATION_PASSWORD_FILE:?PG_HA_REPLICATION_PASSWORD_FILE must be set}"
: "${PG_HA_PASSWORD_CHANGE_SECONDS:=300}"

. "${0%/*}/passfile.sh"
write_superuser_passfile
replication_passfile="${PGPASSFILE:?PGPASSFILE must be set}.replication"
write_passfile "$PG_HA_REPLICATION_PASSWORD_FILE" "$PG_HA_REPLICATION_USER" "$replication_passfile"

accepted() {
	psql -X -q -w -c "SELECT 1" >/dev/null 2>&1 &&
		PGPASSFILE=$replication_passfile psql -X -q -w -d "replication=true user=$PG_HA_REPLICATION_USER" \
			-c "IDENTIFY_SYSTEM" >/dev/null 2>&1
}

deadline=$(($(date +%s) + PG_HA_PASSWORD_CHANGE_SECONDS))
waited=
until accepted; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		echo "pod 0 did not accept the passwords in the Secret within ${PG_HA_PASSWORD_CHANGE_SECONDS}s; its log says whether it applied them" >&2
		# The last attempt's error, for the Job's log.
		psql -X -q -w -c "SELECT 1" >/dev/null || :
		exit 1
	fi
	[ -n "$waited" ] || echo "waiting for pod 0 to put the passwords in the Secret into effect"
	waited=yes
	sleep 5
done
echo "the superuser and $PG_HA_REPLICATION_USER passwords in the Secret are in effect"
