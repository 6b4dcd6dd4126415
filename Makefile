# One command runner: run, test, lint, bench. Each target installs what it needs on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
PORT ?= 8000
BIN = $(VENV)/bin

.PHONY: install run test lint bench docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/shien catalog load
	PORT=$(PORT) $(BIN)/shien serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check rules programs matcher web tests bench
	$(BIN)/mypy rules
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench.rules_bench

docs: install
	$(BIN)/python -m rules.docs > docs/profile.md

clean:
	rm -rf $(VENV) var
