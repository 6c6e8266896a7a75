# The two commands of the README: `make lab` and `make test`.
# Every target creates .venv and installs the kit, its plugins and the tools first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLUGINS := $(sort $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml)))
STAMP  := $(VENV)/.kit-installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with lessons/sanitize.cfg -p no:cacheprovider
PORT   ?= 8888
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test lint lessons bench torch clean

$(STAMP): pyproject.toml $(foreach p,$(PLUGINS),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[dev]' $(foreach p,$(PLUGINS),-e ./$(p)) 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/python -c "import kit, sys; problems = kit.plugin_problems(); print('\n'.join(map(str, problems))); sys.exit(bool(problems))"
	touch $(STAMP)

## lab: set up, then open JupyterLab on lessons/ (localhost only, with a token)
lab: $(STAMP)
	$(BIN)/python -m jupyter lab --ip=127.0.0.1 --port=$(PORT) --ServerApp.root_dir=lessons $(ROOT_FLAG)

## test: set up, then every test: lint, pytest (unit, property, widget, plugin, browser), the lessons under nbval
## twice: as stored, and with another machine's rounding (python -m kit.lessons --print-perturbed-env)
test: $(STAMP)
	@if [ -n "$$KIT_WITH_TORCH" ]; then $(MAKE) --no-print-directory torch; fi
	$(BIN)/ruff check kit tests benchmarks plugins
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest $(NBVAL) lessons
	env $$($(BIN)/python -m kit.lessons --print-perturbed-env) $(BIN)/python -m pytest $(NBVAL) lessons

## lessons: re-execute every lesson in place and store its outputs (after changing the kit)
lessons: $(STAMP)
	$(BIN)/python -m kit.lessons lessons

## bench: install PyTorch (CPU) and print the benchmark tables
bench: $(STAMP) torch
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

torch: $(STAMP)
	$(BIN)/python -c "import torch" 2>/dev/null || $(PIP) install torch==2.13.0

clean:
	rm -rf $(VENV) build *.egg-info plugins/*/*.egg-info
