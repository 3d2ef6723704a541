#!/usr/bin/env bash
# Installs the Debian 12 packages urd needs to build and test (see
# docs/dependencies.md). Installs only what is missing; needs root (or sudo) when
# something is missing. Safe to run repeatedly.
set -euo pipefail

packages=(
  build-essential g++ cmake make pkg-config git python3
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev zlib1g-dev libssl-dev libstemmer-dev
  libcpp-httplib-dev
  libfaiss-dev libhnswlib-dev dataset-fashion-mnist
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  # A nodejs from elsewhere (NodeSource's package) carries its own npm and
  # conflicts with Debian's npm package: the command is what counts.
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
