# Alianza: `make demo` runs the platform on the embedded database; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Extras for the test environment; CI adds "spark" so the Spark engine test runs too.
TEST_EXTRAS ?= dev

.PHONY: demo serve test check lint typecheck messages makemessages install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

# One marker per set of extras, so that asking for another set (CI adds spark) installs it.
comma := ,
DEV_MARKER := $(VENV)/.installed-$(subst $(comma),-,$(TEST_EXTRAS))
$(DEV_MARKER): $(VENV)/.installed
	$(PIP) install --quiet -c constraints.txt -e '.[$(TEST_EXTRAS)]'
	touch $@

install: $(VENV)/.installed
install-dev: $(DEV_MARKER)

# Compile the message catalogues (es, en, pt) that the UI is translated with.
messages: $(VENV)/.installed
	cd alianza && ../$(BIN)/alianza compilemessages --ignore '.venv' -v 0

makemessages: $(VENV)/.installed
	cd alianza && for l in es en pt; do ../$(BIN)/alianza makemessages -l $$l --ignore 'static/vendor/*' -v 0; done

demo: messages
	$(BIN)/alianza demo
	$(BIN)/alianza serve --host $(HOST) --port $(PORT)

serve: messages
	$(BIN)/alianza serve --host $(HOST) --port $(PORT)

# On SQLite by default; on PostgreSQL when DATABASE_URL is set.
test: install-dev messages
	$(BIN)/pytest $(PYTEST_ARGS)

check: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy alianza

clean:
	rm -rf var/test.sqlite3 .pytest_cache .mypy_cache .ruff_cache
