#!/usr/bin/env bash
# Create or update .venv from the lock file (uv.lock) with uv. Idempotent and fast when
# nothing changed.
#
#   scripts/bootstrap.sh run   what running needs: orgsim and its dependencies only
#   scripts/bootstrap.sh dev   also every extra: dashboard, notebook, dask, parquet and dev
#                              (the test, lint and docs tools)
#   scripts/bootstrap.sh python  only print the Python a new .venv would use
#
# Python: $ORGSIM_PYTHON, python3.13, python3.12, python3 (if >= 3.12), then pyenv's.
# uv: $ORGSIM_UV, `uv` on PATH, or .tools/bin/uv, which this script installs on first use
# with pip into a small tools venv (.tools/) when no uv is found.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-run}"
TOOLS=.tools

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

if [ "$MODE" = python ]; then
  find_python || { echo "no Python >= 3.12 found" >&2; exit 1; }
  exit 0
fi

if [ -x .venv/bin/python ] && good .venv/bin/python; then
  PY=.venv/bin/python
  PY_ARGS=()  # uv keeps the project's existing environment
else
  PY="$(find_python)" || { echo "orgsim needs Python >= 3.12: install it (e.g. 'pyenv install 3.12') or set ORGSIM_PYTHON" >&2; exit 1; }
  PY_ARGS=(--python "$PY")
fi

find_uv() {
  local c
  for c in "${ORGSIM_UV:-}" uv "$TOOLS/bin/uv"; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return; }
  done
  return 1
}

if ! UV="$(find_uv)"; then
  echo "bootstrap: no uv found; installing it with pip into $TOOLS/ (once)" >&2
  "$PY" -m venv "$TOOLS"
  # pip's progress bar needs its stdout; its stderr loses notes about absent local mirrors
  "$TOOLS/bin/python" -m pip install uv 2> >(grep -v "^WARNING: Location '" >&2 || true)
  UV="$TOOLS/bin/uv"
  [ -x "$UV" ] || { echo "bootstrap: installing uv failed; install it yourself (pip install uv) or set ORGSIM_UV" >&2; exit 1; }
fi

# Never download a Python behind the user's back: use the one found above.
export UV_PYTHON_DOWNLOADS=never
case "$MODE" in
  # --inexact: never remove what is already in .venv (after `make test`, `make run` keeps
  # the dev tools; a package you added yourself stays)
  run) ARGS=(--no-dev --inexact) ;;
  dev) ARGS=(--all-extras --inexact) ;;
  *) echo "usage: scripts/bootstrap.sh run|dev" >&2; exit 2 ;;
esac
echo "bootstrap: syncing .venv ($MODE) from uv.lock with $("$UV" --version) and $("$PY" --version) ($PY)" >&2
"$UV" sync --locked "${PY_ARGS[@]}" "${ARGS[@]}"
