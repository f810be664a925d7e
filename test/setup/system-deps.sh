#!/usr/bin/env bash
# Makes sure the system packages the tests need are present: Debian's chromium (browser tests)
# redis-server (scale-out tests), nginx (reverse-proxy tests), mosquitto (MQTT source) and
# python3-websockets (the Python producer and client examples). Installs them when missing and allowed (root + apt-get),
# otherwise stops with a clear message. Never skips silently.
set -euo pipefail

missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v "${REDIS_SERVER:-redis-server}" >/dev/null 2>&1 || missing+=(redis-server)
[ -x "${NGINX_PATH:-/usr/sbin/nginx}" ] || missing+=(nginx)
[ -x "${MOSQUITTO_PATH:-/usr/sbin/mosquitto}" ] || missing+=(mosquitto)
python3 -c 'import websockets' >/dev/null 2>&1 || missing+=(python3-websockets)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tickwall: installing missing test dependencies: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >&2
  exit 0
fi

echo "tickwall: the tests need these system packages, which are missing: ${missing[*]}" >&2
echo "  Install them (Debian/Ubuntu): sudo apt-get install -y ${missing[*]}" >&2
echo "  Or point CHROMIUM_PATH / REDIS_SERVER at existing binaries." >&2
exit 1
