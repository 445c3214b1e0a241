#!/usr/bin/env bash
# Installs the S3-compatible server the object-store tests write to: moto's server mode (the AWS mock that
# boto3 and Barman Cloud's own tests use), pinned, in a virtualenv cached by version. Prints its moto_server.
set -euo pipefail
MOTO_VERSION=5.2.5
dir="${PG_HA_CACHE_DIR:-$HOME/.cache/pg-ha}/moto-$MOTO_VERSION"
# The marker is written last: an install cut short is made again.
if [ ! -e "$dir/installed" ]; then
    rm -rf "$dir"
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
    touch "$dir/installed"
fi
echo "$dir/bin/moto_server"
