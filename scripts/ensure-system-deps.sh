#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (PostgreSQL server, Chromium, nginx, a CJK font)
# when they are missing. Fails with one clear line when it cannot; never skips silently.
set -uo pipefail

have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
have_chromium() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }
have_nginx() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }
have_cjk_font() { fc-list 2>/dev/null | grep -qiE "wqy|noto.*cjk"; }

missing=()
have_pg || missing+=(postgresql)
have_chromium || missing+=(chromium)
have_nginx || missing+=(nginx)
have_cjk_font || missing+=(fonts-wqy-microhei fontconfig)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "error: missing system packages (${missing[*]}) and no root to install them: apt-get install ${missing[*]}" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq >/tmp/rencai-apt.log 2>&1 &&
       $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/rencai-apt.log 2>&1; }; then
  echo "error: could not install ${missing[*]} with apt-get (log: /tmp/rencai-apt.log)" >&2
  exit 1
fi
have_pg || { echo "error: PostgreSQL server (initdb) still not found after installing postgresql" >&2; exit 1; }
have_chromium || { echo "error: chromium still not found after installing it" >&2; exit 1; }
have_nginx || { echo "error: nginx still not found after installing it" >&2; exit 1; }
exit 0
