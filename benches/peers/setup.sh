#!/usr/bin/env bash
# Create target/peers-venv (relative to the repo root) with the Python peers'
# requirements installed. Idempotent: a no-op when the venv already holds the
# same requirements.txt. The last line of stdout is the venv's python.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
req="$here/requirements.txt"
venv="$root/target/peers-venv"
py="$venv/bin/python"
stamp="$venv/peers-requirements.txt"

have_python() {
    command -v python3 >/dev/null 2>&1 &&
        python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

if [ -x "$py" ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
    echo "peers venv is up to date" >&2
    echo "$py"
    exit 0
fi

if ! have_python; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing python3 python3-venv with apt-get" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq python3 python3-venv >&2
    fi
    if ! have_python; then
        echo "setup.sh: need python3 >= 3.11 with the venv module" >&2
        echo "  (Debian/Ubuntu: apt-get install python3 python3-venv)" >&2
        exit 1
    fi
fi

rm -rf "$venv"
mkdir -p "$root/target"
python3 -m venv "$venv" >&2
"$py" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
cp "$req" "$stamp"
echo "$py"
