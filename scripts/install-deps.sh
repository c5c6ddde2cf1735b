#!/usr/bin/env bash
# Installs what genq needs to build, run and test on Debian 12. Idempotent:
# packages already present are skipped, so a second run costs a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  build-essential cmake ninja-build pkg-config git curl openssl ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libpng-dev libturbojpeg0-dev libwebp-dev
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev libpq-dev libhiredis-dev
  # PostgreSQL 15 server: the store tests start a throwaway cluster (tests/support).
  postgresql
  ffmpeg jq
  # Real servers the scale-out tests start (never mocks): Redis for the event bus.
  redis-server
  # sqlite3: a test edits a stopped server's database as an older genq left it.
  sqlite3
  # strace: a test reads the server's system calls to check that results are fsynced.
  strace
  # libFuzzer targets (fuzz/): clang 16 is the first Debian clang that compiles
  # libstdc++'s std::expected.
  clang-16 libclang-rt-16-dev
  # Tools behind the catalog's exec models (EspeakNg, Tesseract5, Pocketsphinx*,
  # Ffmpeg*); the font renders text for the OCR test.
  espeak-ng tesseract-ocr tesseract-ocr-eng pocketsphinx pocketsphinx-en-us fonts-dejavu-core
  # A second WebSocket client for the RFC 6455 conformance test (tests/conformance/).
  python3 python3-websockets
  # The web playground's browser test (tests/js/playground.test.mjs) drives it headless.
  chromium
  # The Python worker (workers/python) and its bridge tests' stand-in servers:
  # standard library only.
  python3
)
# Node.js runs the test clients (pusher-js and friends); a machine that already has
# a node with npm keeps it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_packages+=(nodejs npm)
fi

scripts/apt-install-missing.sh install-deps "${apt_packages[@]}"

# pusher-js for the web playground, pinned by web/package-lock.json; the build compiles
# its browser file into genq (docs/playground.md). Without it the page polls instead.
if [ -f web/package.json ]; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci in web"
    (cd web && npm ci --no-audit --no-fund --loglevel=error) || echo "install-deps: npm ci in web failed: the playground will poll" >&2
  fi
fi

# npm packages for the test clients, pinned by tests/js/package-lock.json.
if [ -f tests/js/package.json ]; then
  if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci in tests/js"
    (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "install-deps: npm packages present"
  fi
fi
