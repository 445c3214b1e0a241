# Sourced where Barman Cloud runs, in pod 0 (object-store.sh, restore-from-object-store.sh); the caller defines die.
# require_barman_cloud fails, saying why, without the tools or the credentials; cloud <tool> <arguments> runs
# barman-cloud-<tool> against the object store's endpoint.

require_barman_cloud() {
	command -v barman-cloud-wal-archive >/dev/null ||
		die "the image has no Barman Cloud (barman-cloud-wal-archive is not on PATH): backup.objectStore needs an image with it (see 'Backups to object storage' in the README)"
	# The Secret's keys are optional in the pod spec, so that a missing Secret stops the backups, not the database.
	[ -n "${AWS_ACCESS_KEY_ID:-}" ] && [ -n "${AWS_SECRET_ACCESS_KEY:-}" ] ||
		die "no credentials for the object store: the Secret that backup.objectStore.credentials names, or one of its keys, is missing in the namespace (create it, then restart the pod: see 'Backups to object storage' in the README)"
}

cloud() {
	tool=$1
	shift
	"barman-cloud-$tool" ${PG_HA_OBJECT_STORE_ENDPOINT:+--endpoint-url "$PG_HA_OBJECT_STORE_ENDPOINT"} "$@"
}
