# The two set-up commands of the README: `make run` and `make test`.
# Both create or update .venv from uv.lock (scripts/bootstrap.sh: finds a Python >= 3.12,
# pyenv's included, and installs uv with pip into .tools/ if it is not on PATH).
# `make run` installs what running needs; `make test` adds every extra (dev: tests, lint, docs).
PY := .venv/bin/python
SCENARIO ?= default

.PHONY: run test bench lint docs lock setup setup-dev

setup:
	@bash scripts/bootstrap.sh run

setup-dev:
	@bash scripts/bootstrap.sh dev

run: setup
	$(PY) -m orgsim run $(SCENARIO) --force

test: setup-dev
	$(PY) -m pytest -n 2 -q

bench: setup-dev
	$(PY) -m pytest -m slow -q -n 2
	$(PY) benchmarks/run.py

lint: setup-dev
	$(PY) -m ruff check orgsim tests benchmarks
	$(PY) -m ruff format --check orgsim tests benchmarks
	$(PY) -m mypy

docs: setup-dev
	$(PY) -m mkdocs build --strict

# after changing a dependency in pyproject.toml; uses .venv's Python (never downloads one)
lock: setup-dev
	UV_PYTHON_DOWNLOADS=never $(PY) -m uv lock --python $(PY)
