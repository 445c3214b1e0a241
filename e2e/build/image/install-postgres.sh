#!/bin/sh
# Runs inside the image's root filesystem (chroot) to install PostgreSQL the way the official postgres
# image does, as far as the program relies on it: the postgres user and group are 999:999 (created before
# the package, which would otherwise pick its own ids), no cluster is created at install time, the server
# binaries are on PATH (set in the image config), and /var/run/postgresql and the data directory exist.
# Barman Cloud (barman-cli-cloud, with python3-boto3 for S3) is added for backup.objectStore, as a user adds
# it to the official image.
set -eu
major=$1
groupadd -r --gid=999 postgres
useradd -r -g postgres --uid=999 --home-dir=/var/lib/postgresql --shell=/bin/bash postgres
mkdir -p /var/lib/postgresql && chown -R postgres:postgres /var/lib/postgresql
mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/pg-ha.conf
# No service may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "postgresql-$major" barman-cli-cloud python3-boto3
apt-get clean
rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d /usr/share/doc/* /usr/share/man/*
install -d -o postgres -g postgres -m 3777 /var/run/postgresql
install -d -o postgres -g postgres -m 1777 /var/lib/postgresql/data
