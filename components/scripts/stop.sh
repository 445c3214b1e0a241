#!/bin/sh
# The container's preStop hook: stop.sh <timeout seconds>
#
# PostgreSQL is the container's PID 1, so the kubelet's stop signal goes to it. The official postgres image
# asks for SIGINT, a fast shutdown; an image that does not gets SIGTERM, PostgreSQL's smart shutdown, which
# waits for every client session to end and is cut short by SIGKILL at the end of the grace period (crash
# recovery at the next start). This hook, which the kubelet runs before it sends the signal, asks for the
# fast shutdown and waits for it, so the signal finds nothing left to stop, whatever the image.
set -u

# No server on PGDATA while the bootstrap still works (waiting, initialising, cloning): nothing to stop.
pg_ctl status -D "$PGDATA" >/dev/null 2>&1 || exit 0
exec pg_ctl stop -D "$PGDATA" -m fast -w -t "${1:-50}"
