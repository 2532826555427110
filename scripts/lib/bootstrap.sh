#!/usr/bin/env bash
# Shared set-up for scripts/start.sh and scripts/test.sh: everything a fresh clone needs on a bare
# Debian machine, done idempotently. Nothing here asks a question (CI has no stdin).
set -euo pipefail

PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
export CI="${CI:-true}"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }

require_node() {
  command -v node >/dev/null || die "Node.js 20.19+ is required (https://nodejs.org); none found on PATH"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js 20.19+ is required; found $(node -v)"
}

# apt_install <package>...: installs missing Debian packages when we may (root or sudo).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo="sudo -n" \
      || die "missing Debian packages: ${missing[*]} (install them: apt-get install ${missing[*]})"
  fi
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]}; install them with your package manager"
  log "installing Debian packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    $sudo apt-get update -q >/dev/null 2>&1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  }
}

require_java_and_maven() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
}

# PostgreSQL and Redis for `pnpm infra up` and the tests' global setup: Debian's packages, run by
# tools/infra on private ports (never as system services). Installed only when their binaries are
# missing, so a machine with its own builds (INFRA_POSTGRES_BINDIR, INFRA_REDIS_SERVER) needs no apt.
require_postgres_and_redis() {
  local bindir=""
  if [ -n "${INFRA_POSTGRES_BINDIR:-}" ]; then bindir="$INFRA_POSTGRES_BINDIR"
  elif command -v pg_config >/dev/null; then bindir="$(pg_config --bindir 2>/dev/null || true)"; fi
  if ! { [ -x "$bindir/postgres" ] && [ -x "$bindir/initdb" ]; } \
    && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
    && ! { command -v postgres >/dev/null && command -v initdb >/dev/null; }; then
    apt_install postgresql
  fi
  [ -x "${INFRA_REDIS_SERVER:-/usr/bin/redis-server}" ] || apt_install redis-server
}

require_pnpm() {
  if command -v pnpm >/dev/null && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then return 0; fi
  log "installing pnpm $PNPM_VERSION"
  if ! npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # No write access to the global prefix: a private copy under .tools/.
    npm install --silent --prefix .tools "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$PWD/.tools/node_modules/.bin:$PATH"
  fi
  [ "$(pnpm --version)" = "$PNPM_VERSION" ] || die "could not install pnpm $PNPM_VERSION"
}

install_and_build() {
  log "installing dependencies (pnpm install --frozen-lockfile)"
  pnpm install --frozen-lockfile --reporter=silent
  log "building (pnpm build)"
  pnpm build
}
