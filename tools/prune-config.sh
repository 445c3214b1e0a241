#!/bin/sh
# Deletes the versions of a cluster's configuration that nothing can mount any more:
#   tools/prune-config.sh <namespace> <statefulset> [--dry-run]
#
# Each change of the scripts or settings makes a new ConfigMap <statefulset>-bootstrap-<digest>, and the
# component keeps the older ones, since a pod still on an older revision (a staged update, OnDelete, a
# rollback) mounts its own. A version is in use while a pod mounts it or a revision the StatefulSet keeps
# (revisionHistoryLimit, 10) names it; every other one is deleted. Refuses to delete anything unless the
# version the StatefulSet's template names is among those it found in use.
set -eu

namespace=${1:?usage: prune-config.sh <namespace> <statefulset> [--dry-run]}
statefulset=${2:?usage: prune-config.sh <namespace> <statefulset> [--dry-run]}
dry_run=${3:-}
selector="app.kubernetes.io/name=postgresql,app.kubernetes.io/instance=$statefulset"
volumes='{range .items[*]}{.spec.volumes[*].configMap.name}{"\n"}{end}'

current=$(kubectl get statefulset -n "$namespace" "$statefulset" \
	-o jsonpath='{.spec.template.spec.volumes[*].configMap.name}')
revisions=$(kubectl get controllerrevisions -n "$namespace" -l "$selector" \
	-o jsonpath='{range .items[*]}{.data.spec.template.spec.volumes[*].configMap.name}{"\n"}{end}')
# The maintenance Job's pods mount the configuration too.
pods=$(kubectl get pods -n "$namespace" -o jsonpath="$volumes" \
	-l "app.kubernetes.io/instance=$statefulset,app.kubernetes.io/name in (postgresql,postgresql-maintenance)")
in_use=$(printf '%s\n%s\n' "$revisions" "$pods" | tr ' ' '\n' | grep -v '^$' | sort -u)

case $current in
"$statefulset"-bootstrap-*) ;;
*)
	echo "the StatefulSet's template names no configuration version ($current): nothing deleted" >&2
	exit 1
	;;
esac
if ! printf '%s\n' "$in_use" | grep -qx "$current"; then
	echo "the version in the StatefulSet's template, $current, is not among those found in use: nothing deleted" >&2
	exit 1
fi

for configmap in $(kubectl get configmaps -n "$namespace" -l "$selector" -o jsonpath='{.items[*].metadata.name}'); do
	case $configmap in
	"$statefulset"-bootstrap-*) ;;
	*) continue ;;
	esac
	if printf '%s\n' "$in_use" | grep -qx "$configmap"; then
		echo "keeping $configmap: in use"
	elif [ "$dry_run" = --dry-run ]; then
		echo "would delete $configmap"
	else
		kubectl delete configmap -n "$namespace" "$configmap"
	fi
done
