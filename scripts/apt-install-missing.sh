#!/usr/bin/env bash
# Installs the given Debian packages that are not installed yet (apt-get, with sudo
# when not root); prints what it does. Shared by scripts/install-deps.sh and
# bench/install-deps.sh.
#   scripts/apt-install-missing.sh LABEL PACKAGE...
set -euo pipefail
label=$1
shift
missing=()
for p in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$label: Debian packages present"
  exit 0
fi
echo "$label: installing ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
