# Two commands do all set-up: `make lab` and `make test`. Both build .venv first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PINS := requirements-pinned.txt
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# One thread: faster on 2 cores for these small models, and what the stored outputs come from.
export OMP_NUM_THREADS := 1
# Jupyter refuses to run as root unless told; harmless otherwise.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: env lab test unit notebooks-test browser-test fresh-env-test lint format notebooks bench badges clean mutation

env: $(STAMP)

$(STAMP): pyproject.toml $(PINS)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(PINS) -e ".[lab,test]"
	touch $(STAMP)

lab: $(STAMP)  ## open JupyterLab on the notebooks, on this machine only
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

test: $(STAMP)  ## everything CI runs; the two notebook runs share the two cores
	$(MAKE) lint unit
	$(MAKE) -j2 --output-sync=target notebooks-test fresh-env-test
	$(MAKE) browser-test
	@echo "make test: all checks passed"

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/pytest tests -m "not browser and not slow"

notebooks-test: $(STAMP)  ## re-execute every notebook and compare with its stored outputs
	$(BIN)/pytest --nbval $(NOTEBOOKS) --nbval-current-env --nbval-cell-timeout=120 \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

fresh-env-test: $(STAMP)  ## the wheel alone, in a new venv, runs every notebook from a folder outside the repo
	$(BIN)/pytest tests -m slow

browser-test: $(STAMP)  ## JupyterLab in headless Chromium; skipped (and said so) without chromium
	$(BIN)/pytest tests -m browser -rs

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

notebooks: $(STAMP)  ## regenerate stored outputs: one clean top-to-bottom run of each notebook
	for nb in $(NOTEBOOKS); do \
		$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=60 --ExecutePreprocessor.record_timing=False $$nb || exit 1; \
	done
	$(BIN)/python scripts/strip_widget_state.py $(NOTEBOOKS)

badges: $(STAMP)  ## rewrite Colab badges and install cells from the URL in pyproject.toml
	$(BIN)/python scripts/colab_badges.py

bench: $(STAMP)  ## benchmarks that are not tests
	$(BIN)/python benchmarks/run_benchmark.py
	$(BIN)/python benchmarks/training_overhead.py
	$(BIN)/python benchmarks/widget_response.py

mutation: $(STAMP)  ## mutation testing of the core modules (6-15 min, not part of make test)
	$(BIN)/python -m pip install --quiet -c $(PINS) -e ".[mutation]"
	rm -rf mutants
	nice -n 10 $(BIN)/mutmut run --max-children 1
	$(BIN)/python tests/mutation_report.py

clean:
	rm -rf $(VENV) build dist *.egg-info tests/artifacts mutants
