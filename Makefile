# The two set-up commands of the README: `make run` and `make test`.
# Both create .venv (with a Python >= 3.12, pyenv's included) on first use.
PY := .venv/bin/python
SCENARIO ?= scenarios/default.toml

.PHONY: run test bench lint setup

setup:
	@bash scripts/bootstrap.sh

run: setup
	$(PY) -m orgsim run $(SCENARIO) --force

test: setup
	$(PY) -m pytest -n 2 -q

bench: setup
	$(PY) -m pytest -m slow -q -n 2
	$(PY) benchmarks/run.py

lint: setup
	$(PY) -m ruff check orgsim tests benchmarks
	$(PY) -m ruff format --check orgsim tests benchmarks
	$(PY) -m mypy
