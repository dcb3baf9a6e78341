# Two commands do all the set-up on a fresh machine:
#   make serve   — install what is missing, then run the API on the embedded store
#   make test    — install what is missing, then lint, type-check, check import direction, run the tests
# "What is missing" includes GraphiQL's files and the client toolkit's typed documents (make web: npm ci,
# npm run build:graphiql and npm run codegen in web/, Node 20.19+).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Extra pip arguments for torch, e.g. PyTorch's CPU wheel index on machines whose pip would pick a CUDA build.
TORCH_PIP_ARGS ?=
NPM ?= npm
# npm ci writes node_modules/.package-lock.json; the build writes BUILT last
WEB_INSTALLED := web/node_modules/.package-lock.json
GRAPHIQL_BUILT := web/dist/graphiql/BUILT
# GraphQL Code Generator's output (git-ignored): typed documents for the operations in web/src/.
WEB_GQL := web/src/gql/index.ts
WEB_OPERATIONS := $(shell find web/src -name '*.ts' -not -path 'web/src/gql/*' 2>/dev/null)

.PHONY: serve test install web webtest lint typecheck imports schema pytest demo clean

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

# The exact packages of web/package-lock.json, again whenever it changes.
$(WEB_INSTALLED): web/package-lock.json
	@command -v $(NPM) >/dev/null || { echo "error: GraphiQL's files are built with npm (Node.js 20+): install Node.js"; exit 1; }
	cd web && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

# GraphiQL's files, served by the API itself (no CDN): web/dist/graphiql/.
$(GRAPHIQL_BUILT): $(WEB_INSTALLED) web/scripts/build-graphiql.mjs $(wildcard web/graphiql/*)
	cd web && $(NPM) run --silent build:graphiql

# Typed documents from the committed schema and the operations in web/src/: web/src/gql/.
$(WEB_GQL): $(WEB_INSTALLED) schema/schema.graphql web/codegen.ts web/codegen/value-object-keys.cjs $(WEB_OPERATIONS)
	cd web && $(NPM) run --silent codegen
	@touch $@

# The learner app (Vite): web/dist/learner/, served by `pathwise serve` at /.
LEARNER_BUILT := web/dist/learner/index.html
LEARNER_SOURCES := $(shell find web/learner -type f 2>/dev/null)
$(LEARNER_BUILT): $(WEB_GQL) $(LEARNER_SOURCES)
	cd web && $(NPM) run --silent build:learner

# The partner console (Vite): web/dist/console/, served by `pathwise serve` at /console.
CONSOLE_BUILT := web/dist/console/index.html
CONSOLE_SOURCES := $(shell find web/console -type f 2>/dev/null)
$(CONSOLE_BUILT): $(WEB_GQL) $(WEB_OPERATIONS) $(CONSOLE_SOURCES)
	cd web && $(NPM) run --silent build:console

web: $(GRAPHIQL_BUILT) $(WEB_GQL) $(LEARNER_BUILT) $(CONSOLE_BUILT)

# The web unit tests (Vitest: the tracker, the client), TypeScript's check and the toolkit's size budget.
webtest: web
	cd web && $(NPM) test --silent

serve: install web
	$(BIN)/pathwise serve

demo: install
	$(BIN)/pathwise demo

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy app schema resolvers recommenders plugins

imports: install
	$(BIN)/lint-imports

schema: install
	$(BIN)/pathwise schema --output schema/schema.graphql

pytest: install web
	$(BIN)/python -m pytest

test: web lint typecheck imports webtest pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache web/node_modules web/dist web/test-results web/src/gql
