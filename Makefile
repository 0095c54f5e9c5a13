# Two commands matter: `make demo` and `make test`. Everything else is a building block.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lint format test demo demo-stop help

help:
	@echo "make demo       install, start both emulators and Airflow standalone, run the demo tenant"
	@echo "make demo-stop  stop what make demo started"
	@echo "make test       install when needed, then ruff and the whole test suite"

# Re-install only when the pins or the package metadata change.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits 5 when it collected nothing; make treats every non-zero exit as a failure.
test: install lint
	$(BIN)/pytest

demo: install
	bash scripts/demo.sh start

demo-stop:
	bash scripts/demo.sh stop
