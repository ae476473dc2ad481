# opsboard: `make demo` and `make test` are the whole quick start.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit bench screenshots catalog clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/opsboard demo

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

screenshots: $(STAMP)
	$(BIN)/python -m opsboard.tui.screenshots screenshots

# After marking new strings with _(): brings the Chinese catalog up to date with the code
# (new strings arrive untranslated; tests/unit/test_catalog.py names them until translated).
CATALOG := src/opsboard/locale/zh_CN/LC_MESSAGES/opsboard.po
catalog: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -k N_ --no-location --sort-output -o build/opsboard.pot \
		src/opsboard adapters/opsboard_csv adapters/opsboard_api adapters/opsboard_simulator
	$(BIN)/pybabel update -w 100 --no-fuzzy-matching --ignore-obsolete \
		-i build/opsboard.pot -o $(CATALOG) -l zh_CN

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
