# Two commands do all the set-up on a fresh machine:
#   make serve   — install what is missing, then run the API on the embedded store
#   make test    — install what is missing, then lint, type-check, check import direction, run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Extra pip arguments for torch, e.g. PyTorch's CPU wheel index on machines whose pip would pick a CUDA build.
TORCH_PIP_ARGS ?=

.PHONY: serve test install lint typecheck imports pytest demo clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Pathwise needs Python 3.11"' \
		|| { echo "error: Pathwise needs Python 3.11 (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first, so that sentence-transformers does not pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/python -m pip install --quiet -e '.[ml,dev]'
	@touch $@

install: $(VENV)/.installed

serve: install
	$(BIN)/pathwise serve

demo: install
	$(BIN)/pathwise demo

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy app schema resolvers recommenders plugins

imports: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/python -m pytest

test: lint typecheck imports pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
