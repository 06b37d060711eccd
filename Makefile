# Two commands do all set-up: `make lab` and `make test`. Both build .venv first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PINS := requirements-pinned.txt
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# No OMP_NUM_THREADS here: every lesson sets its own thread count (embedlab.set_threads), as it
# must on Colab, VS Code or a plain `jupyter lab`, so the tests run the lessons as learners do.
# Jupyter refuses to run as root unless told; harmless otherwise.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: test-colab test-colab-gpu glyphs env lab test unit notebooks-test notebooks-test-other-cpu browser-test fresh-env-test lint format \
	notebooks notebooks-float-paths soak bench badges apparatus exercises test-lowest mutation clean site site-test

env: $(STAMP)

$(STAMP): pyproject.toml $(PINS)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(PINS) -e ".[lab,test]"
	touch $(STAMP)

lab: $(STAMP)  ## open JupyterLab on the repository (lessons in notebooks/, exercises in exercises/), on this machine only
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser --ServerApp.root_dir=. $(ALLOW_ROOT)

test: $(STAMP)  ## every test, in two pairs that share the two cores (2-3 min each)
	$(MAKE) lint
	$(MAKE) -j2 --output-sync=target unit fresh-env-test
	$(MAKE) -j2 --output-sync=target notebooks-test browser-test
	@echo "make test: all checks passed"

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/pytest tests -m "not browser and not slow and not stale and not site and not colab"

notebooks-test: $(STAMP)  ## re-execute every notebook and compare with its stored outputs; stale copies must fail
	$(BIN)/pytest --nbval $(NOTEBOOKS) --nbval-current-env --nbval-cell-timeout=120 \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
	$(BIN)/pytest tests -m stale

notebooks-test-other-cpu: $(STAMP)  ## the same check on another CPU's float path (baseline x86 kernels, MKL's compatible path)
	ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE $(MAKE) notebooks-test

fresh-env-test: $(STAMP)  ## the wheel alone, in a new venv, runs every notebook from a folder outside the repo
	$(BIN)/pytest tests -m slow

browser-test: $(STAMP)  ## JupyterLab in headless Chromium; skipped (and said so) without chromium
	$(BIN)/pytest tests -m browser -rs

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

notebooks: $(STAMP)  ## regenerate stored outputs: one clean run of each notebook, timed into docs/lesson_times.json
	$(BIN)/python scripts/execute_notebooks.py $(NOTEBOOKS)
	$(BIN)/python scripts/finish_notebooks.py $(NOTEBOOKS)
	$(BIN)/python scripts/lesson_apparatus.py

badges: $(STAMP)  ## rewrite Colab badges and install cells from the URL in pyproject.toml
	$(BIN)/python scripts/colab_badges.py

apparatus: $(STAMP)  ## rewrite each lesson's header, references and links (docs/lessons.toml, docs/lesson_times.json)
	$(BIN)/python scripts/lesson_apparatus.py

exercises: $(STAMP)  ## rewrite the learner exercise notebooks from exercises/solutions/
	$(BIN)/python scripts/build_exercises.py

bench: $(STAMP)  ## benchmarks that are not tests
	$(BIN)/python benchmarks/run_benchmark.py
	$(BIN)/python benchmarks/small_data.py  # every head against MLPClassifier, with goals: ~12 min
	$(BIN)/python benchmarks/ensemble.py  # one network or the vote, 8 sets (no timings, ~12 min)
	$(BIN)/python benchmarks/one_network.py  # what calibration and the vote cost in time (~2 min)
	$(BIN)/python benchmarks/training_overhead.py
	$(BIN)/python benchmarks/scaling.py  # 1k..1M rows: ~22 min on an idle core
	$(BIN)/python benchmarks/many_classes.py  # lesson 7; decoding part needs faiss-cpu (pip install -e ".[ann]")
	$(BIN)/python benchmarks/widget_response.py

LOWEST := .venv-lowest
# Besides embedlab, the venv gets the test tools the tests import (pyyaml reads CITATION.cff).
# The stale-notebook tests are left out: they compare stored outputs, which come from the pinned
# versions (pandas 2.0 prints a wide table differently); the notebooks run lax, asserts still checked.
test-lowest: $(STAMP)  ## unit tests and notebooks (lax) with every dependency at its lower bound
	rm -rf $(LOWEST) && $(PYTHON) -m venv $(LOWEST)
	$(BIN)/python scripts/lowest_constraints.py > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/python -m pip install --quiet -c $(LOWEST)/constraints.txt -e . \
		pytest nbval nbclient ipykernel pyyaml
	$(LOWEST)/bin/pytest tests -m "not browser and not slow and not site and not stale and not colab" \
		-p no:cacheprovider --ignore=tests/test_browser.py \
		--ignore=tests/test_browser_classic.py  # playwright: a test tool
	$(LOWEST)/bin/pytest --nbval-lax $(NOTEBOOKS) --nbval-current-env --nbval-cell-timeout=120 \
		-p no:cacheprovider

glyphs: $(STAMP)  ## re-draw lesson 7's shipped glyph set (embedlab/glyphs_20px.npz) with the pinned matplotlib
	$(BIN)/python scripts/render_glyphs.py

# Colab's own stack (constraints/colab.txt, from Colab's published pip-freeze.txt) on Colab's
# Python: installing embedlab must change none of its packages, every lesson must pass there, and
# every widget must draw and redraw in the classic Notebook front end Colab's image ships.
COLAB := .venv-colab
# The first Python 3.13 that runs (a pyenv shim may exist without working).
COLAB_PYTHON ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3 /usr/bin/python3.13; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && echo $$p && break; done)
COLAB_PACKAGES := torch numpy pandas matplotlib seaborn scikit-learn scipy threadpoolctl tqdm \
	ipywidgets widgetsnbextension jupyterlab_widgets notebook ipykernel ipython traitlets \
	jupyter_client nbclient nbconvert pytest
$(COLAB)/.installed: constraints/colab.txt scripts/colab_stack.py
	@test -n "$(COLAB_PYTHON)" || { echo "make test-colab: no Python 3.13 found (Colab's); \
		install one or set COLAB_PYTHON=/path/to/python3.13"; exit 1; }
	rm -rf $(COLAB) && $(COLAB_PYTHON) -m venv $(COLAB)
	$(PYTHON) scripts/colab_stack.py constraints > $(COLAB)/constraints.txt
	$(COLAB)/bin/python -m pip install --quiet -c $(COLAB)/constraints.txt $(COLAB_PACKAGES)
	$(COLAB)/bin/python -m pip install --quiet -c $(COLAB)/constraints.txt nbval  # a test tool
	touch $@

test-colab: $(STAMP) $(COLAB)/.installed  ## Colab's stack: install changes nothing, lessons pass, widgets work (~6 min)
	rm -rf build/colab && $(BIN)/python -m build --wheel --no-isolation --outdir build/colab . >/dev/null
	$(COLAB)/bin/python -m pip uninstall --quiet -y embedlab 2>/dev/null || true
	$(COLAB)/bin/python -m pip install --dry-run --quiet --report build/colab/report.json build/colab/embedlab-*.whl
	$(BIN)/python scripts/colab_stack.py check build/colab/report.json
	$(COLAB)/bin/python -m pip install --quiet build/colab/embedlab-*.whl
	$(BIN)/python scripts/colab_stack.py lessons --python $(COLAB)/bin/python $(NOTEBOOKS)
	EMBEDLAB_CLASSIC_JUPYTER=$(COLAB)/bin/jupyter $(BIN)/pytest tests -m colab -rs

# Colab's GPU runtime (constraints/colab-gpu.txt, from pip-freeze.gpu.txt): another stack, on
# Python 3.12, where torch.cuda.is_available() is True. No GPU here: PyPI's torch 2.11.0 runs on
# the CPU, and the lessons' kernels are told there is a GPU (tests/gpu_reported.py), so a lesson or
# embedlab code that would move to the GPU there fails here. The same checks as test-colab.
COLAB_GPU := .venv-colab-gpu
COLAB_GPU_PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3 /usr/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && echo $$p && break; done)
$(COLAB_GPU)/.installed: constraints/colab-gpu.txt scripts/colab_stack.py
	@test -n "$(COLAB_GPU_PYTHON)" || { echo "make test-colab-gpu: no Python 3.12 found (Colab's GPU \
		runtime's); install one or set COLAB_GPU_PYTHON=/path/to/python3.12"; exit 1; }
	rm -rf $(COLAB_GPU) && $(COLAB_GPU_PYTHON) -m venv $(COLAB_GPU)
	$(PYTHON) scripts/colab_stack.py constraints --stack gpu > $(COLAB_GPU)/constraints.txt
	$(COLAB_GPU)/bin/python -m pip install --quiet -c $(COLAB_GPU)/constraints.txt $(COLAB_PACKAGES)
	$(COLAB_GPU)/bin/python -m pip install --quiet -c $(COLAB_GPU)/constraints.txt nbval  # a test tool
	touch $@

test-colab-gpu: $(STAMP) $(COLAB_GPU)/.installed  ## Colab's GPU runtime stack, a GPU reported: install changes nothing, lessons pass, widgets work (~9 min; building .venv-colab-gpu ~10 more)
	rm -rf build/colab-gpu && $(BIN)/python -m build --wheel --no-isolation --outdir build/colab-gpu . >/dev/null
	$(COLAB_GPU)/bin/python -m pip uninstall --quiet -y embedlab 2>/dev/null || true
	$(COLAB_GPU)/bin/python -m pip install --dry-run --quiet --report build/colab-gpu/report.json build/colab-gpu/embedlab-*.whl
	$(BIN)/python scripts/colab_stack.py check --stack gpu build/colab-gpu/report.json
	$(COLAB_GPU)/bin/python -m pip install --quiet build/colab-gpu/embedlab-*.whl
	$(BIN)/python scripts/colab_stack.py lessons --stack gpu --gpu-reported --python $(COLAB_GPU)/bin/python $(NOTEBOOKS)
	EMBEDLAB_CLASSIC_JUPYTER=$(COLAB_GPU)/bin/jupyter EMBEDLAB_GPU_REPORTED=1 $(BIN)/pytest tests -m colab -rs

clean:
	rm -rf $(VENV) $(LOWEST) $(COLAB) $(COLAB_GPU) build dist *.egg-info tests/artifacts mutants

# The course website. Its docs extra (Sphinx, myst-nb, the book theme, MathJax: ~100 MB) is
# installed only by these two targets, so `make lab` and `make test` stay as they were.
DOCS_STAMP := $(VENV)/.installed-docs

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(PINS) -e ".[lab,test,docs]"
	touch $(DOCS_STAMP)

site: $(DOCS_STAMP)  ## build the course website into build/site/ from the stored outputs (no execution)
	$(BIN)/python scripts/build_site.py --out build/site
	@echo "site built: open build/site/index.html, or $(BIN)/python -m http.server -d build/site -b 127.0.0.1 8000"

site-test: $(DOCS_STAMP)  ## build the site into a temporary folder, open every page in headless Chromium
	$(BIN)/pytest tests -m site -rs

notebooks-float-paths: $(STAMP)  ## how far each cell's numbers move on other CPUs' float paths (minutes)
	$(BIN)/python scripts/float_paths.py

soak: $(STAMP)  ## execute every notebook 30x with nbconvert and 10x with papermill; count stalls (about an hour)
	$(BIN)/python scripts/soak_notebooks.py --runs 30 --runner nbconvert --json benchmarks/results/soak_nbconvert.json
	$(BIN)/python scripts/soak_notebooks.py --runs 10 --runner papermill --json benchmarks/results/soak_papermill.json

mutation: $(STAMP)  ## mutation testing of the core modules (6-15 min, not part of make test)
	$(BIN)/python -m pip install --quiet -c $(PINS) -e ".[mutation]"
	rm -rf mutants
	nice -n 10 $(BIN)/mutmut run --max-children 1
	$(BIN)/python tests/mutation_report.py
