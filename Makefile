# The two commands of the README: `make lab` and `make test`.
# Every target creates .venv and installs the kit, its plugins and the tools first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLUGINS := $(sort $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml)))
STAMP  := $(VENV)/.kit-installed
NBGRADER := .venv-nbgrader/bin/nbgrader
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with lessons/sanitize.cfg -p no:cacheprovider
PORT   ?= 8888
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# PyTorch, JAX and TensorFlow for the live kink-convention tests (tests/frameworks), in their own environment
FW_VENV := .venv-frameworks
FW_STAMP := $(FW_VENV)/.frameworks-installed
FW_PACKAGES := torch==2.13.0 jax==0.10.2 jaxlib==0.10.2 tensorflow-cpu==2.21.0 keras==3.15.1

.PHONY: lab test lint lessons bench torch frameworks hub-proxy clean

HUB_PROXY := deploy/node_modules/.bin/configurable-http-proxy

$(STAMP): pyproject.toml deploy/pyproject.toml $(foreach p,$(PLUGINS),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[dev]' $(foreach p,$(PLUGINS),-e ./$(p)) -e './deploy[systemd]' 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/python -c "import kit, sys; problems = kit.plugin_problems(); print('\n'.join(map(str, problems))); sys.exit(bool(problems))"
	touch $(STAMP)

## lab: set up, then open JupyterLab on lessons/ (localhost only, with a token)
lab: $(STAMP)
	$(BIN)/python -m jupyter lab --ip=127.0.0.1 --port=$(PORT) --ServerApp.root_dir=lessons $(ROOT_FLAG)

## test: set up, then every test: lint, pytest (unit, property, widget, plugin, browser), the lessons under nbval
## twice: as stored, and with another machine's rounding (python -m kit.lessons --print-perturbed-env)
test: $(STAMP) $(NBGRADER)
	@if [ -n "$$KIT_WITH_TORCH" ]; then $(MAKE) --no-print-directory torch; fi
	@if [ -n "$$KIT_WITH_FRAMEWORKS" ]; then $(MAKE) --no-print-directory frameworks; fi
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory hub-proxy; \
	 else echo "npm not found: the JupyterHub test (tests/deploy/test_hub.py) will skip"; fi
	$(BIN)/ruff check kit tests benchmarks plugins deploy
	$(BIN)/lint-imports
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest $(NBVAL) lessons
	env $$($(BIN)/python -m kit.lessons --print-perturbed-env) $(BIN)/python -m pytest $(NBVAL) lessons

# real nbgrader for the coursework test, in its own environment (it pulls sqlalchemy and alembic)
$(NBGRADER):
	test -x .venv-nbgrader/bin/python || $(PYTHON) -m venv .venv-nbgrader
	.venv-nbgrader/bin/python -m pip --disable-pip-version-check -q install nbgrader==0.9.6 2>&1 | grep -v '^WARNING: Location' || true
	test -x $(NBGRADER)

## lessons: re-execute every lesson in place and store its outputs (after changing the kit)
lessons: $(STAMP)
	$(BIN)/python -m kit.lessons lessons

## bench: install PyTorch (CPU) and print the benchmark tables
bench: $(STAMP) torch hub-proxy
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

## hub-proxy: JupyterHub's proxy (configurable-http-proxy, from the npm registry) into deploy/node_modules
hub-proxy: $(HUB_PROXY)

$(HUB_PROXY): deploy/package.json deploy/package-lock.json
	cd deploy && npm ci --no-audit --no-fund --loglevel=error
	touch $@

torch: $(STAMP)
	$(BIN)/python -c "import torch" 2>/dev/null || $(PIP) install torch==2.13.0

## frameworks: PyTorch (CPU), JAX and TensorFlow (CPU) in .venv-frameworks for the live framework tests
frameworks: $(FW_STAMP)

$(FW_STAMP):
	test -x $(FW_VENV)/bin/python || $(PYTHON) -m venv $(FW_VENV)
	$(FW_VENV)/bin/python -m pip --disable-pip-version-check -q install $(FW_PACKAGES) 2>&1 | grep -v '^WARNING: Location' || true
	$(FW_VENV)/bin/python -c "import torch, jax, tensorflow, keras"
	touch $(FW_STAMP)

clean:
	rm -rf $(VENV) $(FW_VENV) .venv-nbgrader build *.egg-info plugins/*/*.egg-info deploy/*.egg-info deploy/node_modules
