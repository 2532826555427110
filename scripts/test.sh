#!/usr/bin/env bash
# Every test: set up a fresh clone, lint, type-check, build, and run the whole vitest suite
# against real Kafka, QuestDB, PostgreSQL, Redis and Mosquitto started on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh

require_node
require_java_and_maven
require_postgres_and_redis
# Real peers used by the tests: Debian's Mosquitto (reference MQTT broker), Chromium (dashboard) and
# nginx (the plain reverse proxy the gateway benchmark, and so its smoke test, compares with).
apt_install mosquitto mosquitto-clients chromium nginx-light
require_prometheus
require_pnpm
require_k8s_tools
install_and_build

log "linting (pnpm lint)"
pnpm lint
log "testing (pnpm test)"
pnpm test
