#!/usr/bin/env bash
# What `make bench` needs beyond `make build` (which `make test` does not need, so it
# stays out of scripts/install-deps.sh): the anchors' servers and the load and plot
# tools from Debian, and the anchors' npm packages pinned by
# bench/anchors/package-lock.json. Idempotent: a second run costs a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(redis-server postgresql nginx wrk gnuplot-nox sqlite3 curl util-linux)
missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  # No service is started: the benchmark runs throwaway instances on free ports.
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "bench/install-deps: Debian packages present"
fi

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
