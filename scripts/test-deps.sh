#!/usr/bin/env bash
# What the tests need besides npm's packages: real redis-server, Prometheus's promtool, the
# exporter the bench compares with, openssl, Chromium for the status page, unzip for the real
# helm, python3 for the Python client. Installed from Debian when missing and this user can
# (root, or sudo); otherwise one line says how, and the tests that need them fail saying so.
# `npm test` runs it first (pretest); so does .ci/run.
set -euo pipefail

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v promtool >/dev/null || missing+=(prometheus)
command -v prometheus-redis-exporter >/dev/null || missing+=(prometheus-redis-exporter)
command -v openssl >/dev/null || missing+=(openssl)
command -v chromium >/dev/null || missing+=(chromium)
command -v unzip >/dev/null || missing+=(unzip)
command -v python3 >/dev/null || missing+=(python3)
((${#missing[@]} == 0)) && exit 0

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo -n)
if ! command -v apt-get >/dev/null || ! "${sudo_cmd[@]}" true 2>/dev/null; then
  echo "the tests need: ${missing[*]} (Debian: apt-get install -y ${missing[*]})" >&2
  exit 0
fi
echo "installing from Debian: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
