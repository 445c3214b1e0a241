"""What the restore and the backups ask of the object store that Barman Cloud's commands do not answer alone.

  has-backup <system identifier> <timeline>   exit 0 if barman-cloud-backup-list's JSON (stdin) holds a
                                              finished backup of that system and timeline
  choose <target epoch or "">                 the newest finished backup (of barman-cloud-backup-list's JSON on
                                              stdin) that ended before the target, or the newest of all
  list-wal <destination> <server>             the names of every archived WAL segment

Backups end at a time Barman writes without its offset: pg-ha takes them in UTC (PGTZ=UTC).
"""
import calendar
import json
import os
import re
import sys
import time

SEGMENT = re.compile(r"^([0-9A-F]{24})(\.gz|\.bz2|\.snappy)?$")


def finished(listing):
    return [b for b in json.load(listing)["backups_list"] if b["status"] == "DONE"]


def ended(backup):
    return calendar.timegm(time.strptime(backup["end_time"], "%a %b %d %H:%M:%S %Y"))


def has_backup(system_identifier, timeline):
    return any(
        str(b["systemid"]) == system_identifier and str(b["timeline"]) == timeline for b in finished(sys.stdin)
    )


def choose(target):
    # The recorded end is to the second, at most a second before the backup's real end.
    candidates = [b for b in finished(sys.stdin) if not target or ended(b) + 1 <= int(target)]
    return max(candidates, key=ended)["backup_id"] if candidates else None


def list_wal(destination, server):
    import boto3

    bucket, _, prefix = destination[len("s3://") :].partition("/")
    endpoint = os.environ.get("PG_HA_OBJECT_STORE_ENDPOINT") or None
    pages = boto3.client("s3", endpoint_url=endpoint).get_paginator("list_objects_v2")
    wals = "/".join(part for part in (prefix, server, "wals") if part) + "/"
    for page in pages.paginate(Bucket=bucket, Prefix=wals):
        for item in page.get("Contents", []):
            match = SEGMENT.match(item["Key"].rsplit("/", 1)[-1])
            if match:
                yield match.group(1)


command, arguments = sys.argv[1], sys.argv[2:]
if command == "has-backup":
    sys.exit(0 if has_backup(*arguments) else 1)
elif command == "choose":
    chosen = choose(*arguments)
    if chosen is None:
        sys.exit(1)
    print(chosen)
elif command == "list-wal":
    for segment in list_wal(*arguments):
        print(segment)
else:
    sys.exit("unknown command " + command)
