#!/usr/bin/env bash
# The handler tests start a real MariaDB server (Debian's mariadb-server) on 127.0.0.1. Install it
# when `mariadbd` is missing and we may (root, apt-get present); otherwise say what to do.
set -euo pipefail
if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-mariadb: installing Debian's mariadb-server for the rotation handler tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
  echo "ensure-mariadb: $(/usr/sbin/mariadbd --version)"
else
  echo "ensure-mariadb: mariadbd not found; install MariaDB (Debian/Ubuntu: sudo apt-get install mariadb-server) and run again" >&2
  exit 1
fi
