# Two commands: `make run` and `make test`. Everything else is reached through them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint typecheck layers install system-deps coverage-docs

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "error: cannot create a virtual environment with $(PYTHON) (is python3-venv installed?)"; exit 1; }
	@$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c "import rencai, openfisca_core, fastapi" || { echo "error: dependency installation failed"; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/ensure-system-deps.sh

run: install
	@RENCAI_DATABASE_URL=$${RENCAI_DATABASE_URL:-sqlite:///var/rencai.sqlite3} $(BIN)/rencai serve --host $(HOST) --port $(PORT) --demo

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
