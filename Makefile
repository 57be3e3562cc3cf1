# Two commands set everything up on a fresh machine:
#   make run   — venv + install + build the bundled sample into the embedded store + out/hemicycle.ttl
#   make test  — venv with dev tools + ruff + mypy + the manual (mkdocs --strict) + pytest
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_DEV  := $(VENV)/.installed-dev

.PHONY: run test lint typecheck docs pytest install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[fast]'
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,fast]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
dev: $(STAMP_DEV)

run: $(STAMP_RUN)
	$(BIN)/kg build --out out/hemicycle.ttl

lint: $(STAMP_DEV)
	$(BIN)/ruff check kg tests bench
	$(BIN)/ruff format --check kg tests bench

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

# the manual (docs/, mkdocs.yml): --strict turns a broken link or anchor into a failure (not with -q,
# which hides the warnings that --strict counts)
docs: $(STAMP_DEV)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

pytest: $(STAMP_DEV)
	$(BIN)/pytest -n 2 -q

test: lint typecheck docs pytest

clean:
	rm -rf $(VENV) out site hemicycle.oxigraph .mypy_cache .pytest_cache .ruff_cache
