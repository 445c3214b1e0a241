#!/bin/sh
# Creates the application's role and database when they do not exist, and sets the role's password to the
# one in the Secret: app-database.sh
#
# Run by the component's maintenance Job after the cluster is ready, on a new cluster and on one that gets
# a `database` setting later. Idempotent: an existing database is left as it is (its owner too). Connects
# with the libpq environment as a superuser (see passfile.sh). The password travels as a psql
# variable read from its mounted file, and no-statement-logging.sql keeps the statements out of every log.
set -eu

: "${PG_HA_APP_DATABASE:?PG_HA_APP_DATABASE must be set}"
: "${PG_HA_APP_OWNER:?PG_HA_APP_OWNER must be set}"
: "${PG_HA_APP_PASSWORD_FILE:?PG_HA_APP_PASSWORD_FILE must be set}"

. "${0%/*}/passfile.sh"
write_superuser_passfile

psql -X -q -v ON_ERROR_STOP=1 -v database="$PG_HA_APP_DATABASE" -v owner="$PG_HA_APP_OWNER" \
	-v password_file="$PG_HA_APP_PASSWORD_FILE" -v quiet="${0%/*}/no-statement-logging.sql" <<-'SQL'
	\i :quiet
	\set password `cat :'password_file'`
	SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') AS create_role \gset
	\if :create_role
	CREATE ROLE :"owner" LOGIN PASSWORD :'password';
	\else
	ALTER ROLE :"owner" LOGIN PASSWORD :'password';
	\endif
	SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') AS create_database \gset
	\if :create_database
	CREATE DATABASE :"database" OWNER :"owner";
	\endif
SQL
echo "application database $PG_HA_APP_DATABASE, owned by $PG_HA_APP_OWNER, is in place"
