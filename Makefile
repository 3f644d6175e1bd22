# segmint — the commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every install uses the versions in the lock file, so CI, developers and users test the same
# stack; `make lock` refreshes it and `make test-latest` tries the newest releases.
LOCK := requirements/lock.txt

.PHONY: demo test lint typecheck docs pytest bench install clean lock test-latest fuzz

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint $(LOCK) -e '.[spark,dev]'
	# gbstats (GrowthBook's stats engine) is the experiments' test oracle. Its only release on
	# PyPI pins numpy<2 and pandas<2 although its code runs on both: installed without its deps.
	$(BIN)/pip install --quiet --no-deps 'gbstats==0.8.0'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/segmint demo segmint-demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

# The docs site (mkdocs.yml, docs/): --strict turns every warning (broken link, bad docstring) into a
# failure. Not --quiet: it hides the warnings from the strict count and the build passes anyway.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck docs pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The reader fuzz suite with many more examples than `make test` runs (same invariants).
fuzz: $(STAMP)
	SEGMINT_FUZZ_EXAMPLES=5000 $(BIN)/pytest -q -m fuzz tests/fuzz

# Re-resolve the newest versions allowed by pyproject.toml into the lock file (needs PyPI).
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet uv
	.venv-lock/bin/uv pip compile pyproject.toml --extra spark --extra dev --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --no-header --quiet -o $(LOCK)

# The "latest versions" job: a separate venv without the lock, then the whole test suite.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/pip install --quiet --upgrade pip
	.venv-latest/bin/pip install --quiet -e '.[spark,dev]'
	.venv-latest/bin/pytest -q

clean:
	rm -rf $(VENV) .venv-lock .venv-latest segmint-demo site .pytest_cache .mypy_cache .ruff_cache spark-warehouse
