# Two commands: `make run` and `make test`. Everything else is reached through them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run DEMO=` serves an existing database as it is (no migration, no demo data)
DEMO ?= --demo

.PHONY: run test bench lint typecheck layers install system-deps coverage-docs

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || { echo "[1/4] creating the virtual environment $(VENV)"; $(PYTHON) -m venv $(VENV); } || { echo "error: cannot create a virtual environment with $(PYTHON) (is python3-venv installed?)"; exit 1; }
	@echo "[2/4] installing the pinned dependencies (requirements.lock; about a minute the first time)"
	@$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
	@echo "[3/4] installing rencai itself"
	@$(BIN)/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c "import rencai, openfisca_core, fastapi" || { echo "error: dependency installation failed"; exit 1; }
	@echo "[4/4] installed"
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/ensure-system-deps.sh

# Ctrl-C (or a TERM) stops the server; the shell then ends cleanly instead of make reporting
# the server's signal as an error
run: install
	@echo "rencai: preparing the database$(if $(DEMO), and the demo data (first run: about a minute)), then serving http://$(HOST):$(PORT)/ - Ctrl-C stops it"
	@trap 'exit 0' INT TERM; RENCAI_DATABASE_URL=$${RENCAI_DATABASE_URL:-sqlite:///var/rencai.sqlite3} $(BIN)/rencai serve --host $(HOST) --port $(PORT) $(DEMO); status=$$?; case $$status in 130|143) exit 0;; *) exit $$status;; esac

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

# the import contracts in pyproject.toml: the layering of docs/architecture.md
layers: install
	$(BIN)/lint-imports --no-cache

test: install system-deps lint typecheck layers
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m benchmarks
