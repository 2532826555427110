#!/usr/bin/env bash
# The main job: set up a fresh clone and run the whole pipeline on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh

require_node
require_java_and_maven
require_pnpm
install_and_build

log "starting Kafka and QuestDB (pnpm infra up)"
pnpm --silent infra up
pnpm --silent infra status
log "infrastructure is up; stop it with: pnpm infra down"
