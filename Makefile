# The project's commands. `make test` is what CI runs (through .ci/run).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared
ORACLE_DIR ?= build/yaz-ill-oracle

.PHONY: test demo lint typecheck unit oracle bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Lint every source folder that exists (benchmarks/ and fuzz/ come with their issues).
LINT_DIRS := $(wildcard src tests benchmarks fuzz scripts)

test: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_DIRS)
	$(VENV)/bin/mypy --strict src
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_DIRS)

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict src

unit: $(STAMP)
	$(VENV)/bin/pytest -q

demo: $(STAMP)
	$(PY) -m isoill.demo

# Builds the YAZ-based checker from ../shared into build/ (needs libyaz-dev); tests find it there.
oracle:
	$(MAKE) -C $(SHARED)/tools/yaz-ill-oracle OUT=$(abspath $(ORACLE_DIR))

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis
