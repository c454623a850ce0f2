# `make run` and `make test` do all the set-up on a fresh Debian machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-report fuzz package system-deps clean

$(STAMP): pyproject.toml packaging/system-deps.sh
	bash packaging/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/deconflict

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	$(VENV)/bin/lint-imports

# Every benchmark, its figures kept in .benchmarks/last.json; `make bench-report` writes
# that one run into tests/benchmarks/README.md.
bench: $(STAMP)
	mkdir -p .benchmarks
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/benchmarks --benchmark-enable --benchmark-only -q \
		--benchmark-json=.benchmarks/last.json

bench-report:
	$(PY) -m tests.benchmarks.report .benchmarks/last.json

# The property-based tests with new random cases each run (make test replays a few fixed
# ones): FUZZ_EXAMPLES (default 10,000) cases per reader, the project reader included.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/importers/test_fuzz.py \
		tests/project/test_fuzz_project.py tests/feed/test_fuzz_feed.py

# Standalone executables in dist/ (one folder, one file), with a size report.
package: $(STAMP)
	$(PY) packaging/build.py

system-deps:
	bash packaging/system-deps.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .benchmarks
