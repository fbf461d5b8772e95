#!/bin/sh
# Run by the postgres image once, when its data volume is first made: the service roles, with
# passwords from the environment (deploy/.env through compose.yaml), never from a file here.
set -eu
for name in IDENTITY SCHEDULING EVIDENCE REACH; do
    eval "value=\${${name}_DB_PASSWORD:-}"
    case "$value" in
        ""|*replace*|*change-me*) echo "init.sh: set ${name}_DB_PASSWORD to a real password" >&2; exit 1 ;;
    esac
done
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v identity_password="$IDENTITY_DB_PASSWORD" -v scheduling_password="$SCHEDULING_DB_PASSWORD" \
    -v evidence_password="$EVIDENCE_DB_PASSWORD" -v reach_password="$REACH_DB_PASSWORD" \
    -f /cascade/init.sql
