#!/usr/bin/env bash
# The rotation handler tests start a real MariaDB server (Debian's mariadb-server: mariadbd and
# mariadb-install-db) on 127.0.0.1. Installs it when missing and we may (root, or password-less
# sudo, with apt-get); idempotent; says what it did.
set -euo pipefail

found() {
  { command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } &&
    { command -v mariadb-install-db >/dev/null 2>&1 || [ -x /usr/bin/mariadb-install-db ]; }
}
version() { "$(command -v mariadbd || echo /usr/sbin/mariadbd)" --version; }

# The TLS tests also make a throw-away CA with the openssl CLI, absent from slim images.
packages=()
found || packages+=(mariadb-server)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)

if [ ${#packages[@]} -eq 0 ]; then
  echo "ensure-mariadb: already installed: $(version), $(openssl version)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-mariadb: missing ${packages[*]} and apt-get is not available; install MariaDB server (mariadbd and mariadb-install-db) and the openssl CLI, then run again" >&2
  exit 1
fi
if [ "$(id -u)" = "0" ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "ensure-mariadb: missing ${packages[*]}; install as root: apt-get install ${packages[*]}" >&2
  exit 1
fi

echo "ensure-mariadb: installing ${packages[*]} with apt-get${sudo:+ (via sudo)}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# apt may start the packaged service where init is available; the tests run their own servers.
found || { echo "ensure-mariadb: mariadb-server installed but mariadbd or mariadb-install-db is still missing" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || { echo "ensure-mariadb: openssl installed but still not on PATH" >&2; exit 1; }
echo "ensure-mariadb: installed: $(version), $(openssl version)"
