# Two commands matter: `make demo` and `make test`. Everything else is a building block.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lint format test demo demo-stop help browser reliability bench compose-test

help:
	@echo "make demo       install, start both emulators and Airflow standalone, run the demo tenant"
	@echo "make demo-stop  stop what make demo started"
	@echo "make test       install when needed, then ruff and the whole test suite"
	@echo "make reliability  the fault, hostile-input and leak suite with 200 seeded fault plans, and its table"
	@echo "make bench      the benchmarks in bench/ (about 15 minutes): one table, raw output in bench/results/"
	@echo "make compose-test  docker-compose.yaml for real on this machine's Docker, images from Debian packages"

# Re-install only when the pins or the package metadata change.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The dashboard's browser test drives Debian's chromium headless (Playwright with the system browser,
# never `playwright install`); install it when it is missing (CI runs as root on a clean machine).
browser:
	@test -x /usr/bin/chromium || { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium; }

# pytest exits 5 when it collected nothing; make treats every non-zero exit as a failure.
test: install lint browser
	$(BIN)/pytest

# The reliability suite with many seeded fault plans (make test runs the same tests with 12), then
# the table of its figures; fails when a test or a figure (a duplicate, a lost order, a leak) does.
RELIABILITY_EXAMPLES ?= 200
RELIABILITY_REPORT ?= .cache/reliability/report.json
reliability: install
	@mkdir -p $(dir $(RELIABILITY_REPORT)) && rm -f $(RELIABILITY_REPORT)
	@status=0; RELIABILITY_EXAMPLES=$(RELIABILITY_EXAMPLES) RELIABILITY_REPORT=$(RELIABILITY_REPORT) \
		$(BIN)/pytest tests/reliability -q -p no:cacheprovider || status=1; \
	$(BIN)/python tools/reliability_report.py $(RELIABILITY_REPORT) || status=1; exit $$status

demo: install
	bash scripts/demo.sh start

demo-stop:
	bash scripts/demo.sh stop

# Benchmarks print figures; they never fail on a time (their smoke runs are in tests/bench/).
bench: install
	$(BIN)/python -m bench
	$(BIN)/python -m bench.bench_records

# docker-compose.yaml for real, without a registry (README, "Trying the stack without a registry"): Docker,
# debootstrap and Compose v2 installed when missing, stand-in images from Debian packages, up, three tenants
# booked, a backfill, down -v. Needs root; minutes, not part of make test. COMPOSE_TEST_ARGS=--rebuild
# builds the images afresh.
COMPOSE_TEST_ARGS ?=
compose-test: install
	bash scripts/compose_test.sh $(COMPOSE_TEST_ARGS)
