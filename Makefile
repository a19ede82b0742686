# The two stable commands: `make demo` and `make test` (see README "Quick start").
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: setup demo test check bench clean

# Installs only what is missing or out of date (a stamp per requirement set).
setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Embedded SQLite + filesystem broker by default; set DATABASE_URL (PostgreSQL)
# and CELERY_BROKER_URL (Redis) to run the same suite against them.
test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Migrate, load the demo province, collect static files, then run gunicorn,
# a Celery worker and beat until Ctrl-C (scripts/demo.py). `make demo PORT=9000`.
demo: setup
	PORT=$(PORT) $(BIN)/python scripts/demo.py

check: setup
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Every bench/*.py prints its figures and a ratio to its in-process baseline.
bench: setup
	@set -e; found=0; for script in bench/*.py; do \
		[ -e "$$script" ] || continue; found=1; \
		echo "== $$script"; PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=scorecard.settings $(BIN)/python "$$script"; \
	done; [ $$found = 1 ] || echo "no bench/*.py scripts yet"

clean:
	rm -rf var .pytest_cache
