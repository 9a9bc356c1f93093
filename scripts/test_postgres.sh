#!/usr/bin/env bash
# Start this machine's PostgreSQL 15 cluster if it is stopped, and create the role and
# database the tests use. Idempotent. Skips (exit 0) when LLMOBS_TEST_POSTGRES_URL points
# elsewhere, so a developer can use any server.
set -euo pipefail
if [ -n "${LLMOBS_TEST_POSTGRES_URL:-}" ]; then
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: install postgresql-15 or set LLMOBS_TEST_POSTGRES_URL" >&2
  exit 1
fi
if ! pg_lsclusters -h | awk '$1 == "15" && $2 == "main" {print $4}' | grep -q online; then
  pg_ctlcluster 15 main start
fi
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -c "$(printf '%q ' "$@")"; fi; }
for _ in $(seq 1 50); do
  as_postgres psql -qtAc "SELECT 1" >/dev/null 2>&1 && break
  sleep 0.2
done
as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'llmobs'" | grep -q 1 \
  || as_postgres psql -qc "CREATE ROLE llmobs LOGIN PASSWORD 'llmobs' CREATEDB"
as_postgres psql -qtAc "SELECT 1 FROM pg_database WHERE datname = 'llmobs_test'" | grep -q 1 \
  || as_postgres psql -qc "CREATE DATABASE llmobs_test OWNER llmobs"
