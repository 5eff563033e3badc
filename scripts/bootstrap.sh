#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install orgsim into it (idempotent).
# Looks for: $ORGSIM_PYTHON, python3.13, python3.12, python3 (if new enough), then pyenv.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
EXTRAS="${ORGSIM_EXTRAS:-dev}"

good() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }

find_python() {
  local c
  for c in "${ORGSIM_PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && good "$(command -v "$c")" && { command -v "$c"; return; }
  done
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for c in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -Vr); do
    [ -x "$c/bin/python" ] && good "$c/bin/python" && { echo "$c/bin/python"; return; }
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ] || ! good "$VENV/bin/python"; then
  PY="$(find_python)" || { echo "orgsim needs Python >= 3.12: install it (e.g. 'pyenv install 3.12') or set ORGSIM_PYTHON" >&2; exit 1; }
  echo "bootstrap: creating $VENV with $PY ($("$PY" --version))" >&2
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

STAMP="$VENV/.orgsim-installed"
WANT="$(cat pyproject.toml | sha256sum | cut -c1-16) $EXTRAS"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "bootstrap: installing orgsim[$EXTRAS] into $VENV" >&2
  quiet_pip() {  # pip, minus this machine's notes about absent local mirrors
    local status=0
    "$VENV/bin/python" -m pip "$@" 2>&1 | { grep -v "^WARNING: Location '" >&2 || true; } || status=$?
    return "$status"
  }
  quiet_pip install --quiet --upgrade pip
  quiet_pip install --quiet -e ".[$EXTRAS]"
  echo "$WANT" > "$STAMP"
fi
