#!/usr/bin/env bash
# The main job: set up a fresh clone and run the whole pipeline on this machine, with a simulated
# fleet publishing through a real edge agent. Idempotent; `pnpm pipeline down --infra` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh

require_node
require_java_and_maven
require_postgres_and_redis
require_prometheus
require_pnpm
install_and_build

log "starting the pipeline: Kafka, QuestDB, PostgreSQL, Redis, the services, the gateway, a simulated fleet and Prometheus"
pnpm --silent pipeline up --observe
