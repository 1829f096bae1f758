# The project's commands. `make test` is what CI runs (through .ci/run).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared
ORACLE_DIR ?= build/yaz-ill-oracle

.PHONY: test demo lint typecheck unit oracle bench fuzz generate clean check-sdist

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,postgres]'
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

# Release check: build sdist + wheel, twine check, install the sdist in a fresh venv and run its own tests.
check-sdist: $(STAMP)
	PYTHON=$(PY) scripts/check_sdist.sh

demo: $(STAMP)
	$(PY) -m illnode.demo
	$(PY) -m illnode.gateway.demo

# Regenerates every committed generated artifact; tests fail when one is stale (tests/iso18626/test_iso18626_schemas.py,
# tests/core/test_engine.py): the ISO 18626 XSDs in schemas/ (src/iso18626/schemas links there) from the element
# tables, the state diagrams in docs/diagrams/ from the transition tables, and docs/profiles/ from the profile data
# (tests/node/test_partner_docs.py).
generate: $(STAMP)
	$(PY) scripts/generate.py

# Codec benchmarks (docs/performance.md): one interleaved run, table on stdout, JSON in build/bench/.
# The YAZ C timing driver is built when libyaz-dev is present; without it the C column is skipped.
# BENCH_ARGS passes options through, e.g. make bench BENCH_ARGS="--rounds 25 --only ber".
# Then the server section (benchmarks/servers.py, JSON in build/bench/servers.json); SERVER_BENCH_ARGS passes
# its options, e.g. SERVER_BENCH_ARGS="--rounds 5 --only ill --gc-freeze".
BENCH_DIR ?= build/bench
BENCH_ARGS ?=
SERVER_BENCH_ARGS ?=
# The store section (benchmarks/stores.py): memory, SQLite and PostgreSQL through both servers.
STORE_BENCH_ARGS ?=

bench: $(STAMP)
	@if pkg-config --exists yaz 2>/dev/null; then $(MAKE) --no-print-directory $(BENCH_DIR)/yaz_bench; \
	else echo "libyaz-dev not found: benchmarking without YAZ's C codec"; fi
	$(PY) benchmarks/bench.py --json $(BENCH_DIR)/results.json --yaz-driver $(BENCH_DIR)/yaz_bench $(BENCH_ARGS)
	$(PY) benchmarks/servers.py --json $(BENCH_DIR)/servers.json $(SERVER_BENCH_ARGS)
	$(PY) benchmarks/gateway_bench.py --json $(BENCH_DIR)/gateway.json
	$(PY) benchmarks/stores.py --json $(BENCH_DIR)/stores.json $(STORE_BENCH_ARGS)

$(BENCH_DIR)/yaz_bench: benchmarks/yaz_bench.c
	mkdir -p $(BENCH_DIR)
	$(CC) -O2 -Wall -Wextra $$(pkg-config --cflags yaz) -o $@ $< $$(pkg-config --libs yaz)

# Builds the YAZ-based checker from ../shared into build/ (needs libyaz-dev); tests find it there.
oracle:
	$(MAKE) -C $(SHARED)/tools/yaz-ill-oracle OUT=$(abspath $(ORACLE_DIR))

# Mutation fuzzing of isoill.decode, the framer and iso18626.parse (see docs/security.md and fuzz/).
# FUZZ_SECONDS per target; FUZZ_TARGET=ber|framer|xml|all; FUZZ_INPUTS caps the inputs per target;
# FUZZ_ENGINE=atheris runs the coverage-guided engine instead (if atheris is installed; else the driver).
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= all
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_INPUTS ?= 0
FUZZ_SEED ?= 1
FUZZ_ENGINE ?= mutate

fuzz: $(STAMP)
ifeq ($(FUZZ_ENGINE),atheris)
	@if $(PY) -c 'import atheris' 2>/dev/null; then \
	  for t in $(if $(filter all,$(FUZZ_TARGET)),ber framer xml,$(FUZZ_TARGET)); do \
	    $(PY) -m fuzz.atheris_main --target $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; done; \
	else echo "atheris not installed: using the mutation driver"; \
	  $(PY) -m fuzz.run --target $(FUZZ_TARGET) --seconds $(FUZZ_SECONDS) --inputs $(FUZZ_INPUTS) \
	    --jobs $(FUZZ_JOBS) --seed $(FUZZ_SEED); fi
else
	$(PY) -m fuzz.run --target $(FUZZ_TARGET) --seconds $(FUZZ_SECONDS) --inputs $(FUZZ_INPUTS) \
	  --jobs $(FUZZ_JOBS) --seed $(FUZZ_SEED)
endif

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis
