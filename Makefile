# One task runner. `make run` and `make test` work on a fresh clone with only Python 3.11+ and make.
PORT ?= 8501
# localhost only; serve the network on purpose with `make run HOST=0.0.0.0` (docs/security.md)
HOST ?= 127.0.0.1
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
LAKEHOUSE ?= $(CURDIR)/data/lakehouse
export SCALEBOARD_LAKEHOUSE ?= $(LAKEHOUSE)
# uv: the one on PATH, else a private copy bootstrapped with pip into .tools/
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)

.PHONY: run test test-fast test-security setup demo refresh lint bench bench-full clean browser-deps help

help:
	@echo "make run     set up, build the demo lakehouse if absent, serve http://localhost:$(PORT)"
	@echo "make run HOST=0.0.0.0   the same, reachable from other machines (default: this machine only)"
	@echo "make test    set up and run every test (the slowest are listed at the end)"
	@echo "make test-fast   unit tests: no browser, AppTest, demo-lakehouse, real-dataset or slow tests (under a minute)"
	@echo "make test-security   the security suite (tests/security; also part of make test)"
	@echo "make bench   benchmarks (10M rows; bench-full adds 100M) -> bench/RESULTS.md"
	@echo "make lint    ruff + sqlfluff"

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: $(VENV)/.synced

$(SCALEBOARD_LAKEHOUSE)/models:
	$(MAKE) setup
	$(BIN)/scaleboard demo --out "$(SCALEBOARD_LAKEHOUSE)"

demo: setup $(SCALEBOARD_LAKEHOUSE)/models

refresh: setup
	$(BIN)/scaleboard refresh

run: demo
	$(BIN)/scaleboard refresh
	@$(BIN)/python -m app.credentials
	@# glibc returns freed megabyte buffers to the system (docs/security.md, bounded memory)
	MALLOC_MMAP_THRESHOLD_=131072 $(BIN)/streamlit run app/server.py --server.address $(HOST) --server.port $(PORT) --server.headless true

# tests run with Python's byte-code cache even where PYTHONDONTWRITEBYTECODE is set: without it every
# run compiles (and pytest re-rewrites) every module again, seconds per worker (measured 6.5 s)
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

test: setup
	$(PYTEST) -q -n 2 --dist loadgroup --durations=15 --durations-min=1

test-fast: setup
	$(PYTEST) -q -n 2 --dist loadgroup -m "not browser and not slow and not integration" --durations=5 \
		--ignore=tests/browser --ignore=tests/pages

test-security: setup
	$(BIN)/python -m pytest -q -n 0 tests/security --durations=5

lint: setup
	$(BIN)/ruff check analytics app pages tests bench
	$(BIN)/sqlfluff lint analytics/sql --dialect duckdb

bench: setup
	$(BIN)/python -m bench.run --sizes 10000000

bench-full: setup
	$(BIN)/python -m bench.run --sizes 10000000 100000000

# the system programs some tests need; without them those tests skip and say this command
browser-deps:
	apt-get update && apt-get install -y chromium graphviz default-jre-headless

clean:
	rm -rf $(VENV) .tools .pytest_cache
