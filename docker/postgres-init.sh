#!/usr/bin/env bash
# First start of the compose PostgreSQL: a database and role for the warehouse next to Airflow's.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
create role revgen login password '${REVGEN_DB_PASSWORD}';
create database revgen owner revgen;
SQL
