# Two commands do everything on a fresh clone with Python 3.11+ and make:
#   make build   set up .venv, build the graph from sources/, validate it, show the main results
#   make test    set up .venv and the export tests' tools (graphviz, chromium, cytoscape.js via
#                .ci/setup-tools.sh, which uses apt-get and npm), run ruff and mypy, check the
#                installed wheel outside the checkout (.ci/check-wheel.sh), run every test
#   make fuzz    the property-based tests of hostile input, with many more cases
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test lint tools wheel fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/cartkg build --sources sources --out build
	@echo; echo "Which therapies have evidence in which indications, through which trials and sponsors?"
	$(BIN)/cartkg query therapies_in_indications_by_trial_and_sponsor

lint: $(STAMP)
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/mypy

tools:
	bash .ci/setup-tools.sh

wheel: $(STAMP)
	PYTHON=$(BIN)/python bash .ci/check-wheel.sh

test: lint tools wheel
	$(BIN)/python -m pytest

# The property-based tests of the curation files and the query parameters, with many more cases
# than `make test` runs (set CARTKG_FUZZ_EXAMPLES to change how many per property).
CARTKG_FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	CARTKG_FUZZ_EXAMPLES=$(CARTKG_FUZZ_EXAMPLES) $(BIN)/python -m pytest -q \
		tests/curation/test_fuzz_curation.py tests/query/test_fuzz_params.py

clean:
	rm -rf build $(VENV)
