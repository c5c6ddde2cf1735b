#!/usr/bin/env bash
# What `make bench` needs beyond `make build` (which `make test` does not need, so it
# stays out of scripts/install-deps.sh): the anchors' servers and the load and plot
# tools from Debian, and the anchors' npm packages pinned by
# bench/anchors/package-lock.json. Idempotent: a second run costs a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(redis-server postgresql nginx wrk gnuplot-nox sqlite3 curl util-linux)
# No service is started: the benchmark runs throwaway instances on free ports.
scripts/apt-install-missing.sh bench/install-deps "${apt_packages[@]}"

# npm ci reproduces the lockfile exactly. A registry mirror that lacks other platforms'
# optional native packages (msgpackr-extract's darwin/win32 builds) makes npm ci refuse
# a lockfile written without them; npm install then installs the same locked versions.
if [ ! -d bench/anchors/node_modules ] || [ bench/anchors/package-lock.json -nt bench/anchors/node_modules/.package-lock.json ]; then
  echo "bench/install-deps: npm ci in bench/anchors"
  (cd bench/anchors && { npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm install --no-audit --no-fund --loglevel=error --no-save; })
else
  echo "bench/install-deps: npm packages present"
fi
