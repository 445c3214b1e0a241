#!/usr/bin/env bash
# Fails, loudly, unless the cluster of $KUBECONFIG answers and accepts its credential. `pulumi preview` against
# an API server it cannot reach plans a create of every object and exits 0: a broken or expired kubeconfig
# would look like a harmless change. Any authenticated user may ask what it can do (a SelfSubjectRulesReview),
# so this needs no permission of its own; a wrong token is refused with 401 instead of falling back to anonymous.
set -euo pipefail

stack="${1:?usage: check-cluster-reachable.sh <stack>}"
if ! refused=$(kubectl auth can-i --list --request-timeout=20s 2>&1 >/dev/null); then
    echo "::error::the ${stack} stack's cluster cannot be reached with its kubeconfig, or refuses its credential; the preview would plan against nothing: ${refused}"
    exit 1
fi
echo "the ${stack} stack's cluster answers at $(kubectl config view --minify -o 'jsonpath={.clusters[0].cluster.server}')"
