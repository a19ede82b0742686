# The two stable commands: `make demo` and `make test` (see README "Quick start").
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: setup demo test check bench load faults clean

# Installs only what is missing or out of date (a stamp per requirement set).
setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@echo "[setup] Python packages into $(VENV) (requirements-dev.txt) …"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "[setup] front-end packages into node_modules (npm ci; only the files named in settings.NPM_STATIC_FILES are served) …"
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
	$(BIN)/lint-imports  # .importlinter: apps import only downwards
	$(BIN)/python scripts/check_inner_imports.py  # no import inside a function without a comment saying why

# Every benchmark (bench/run_all.py: generator, import, profile, scorecard, notice, pandas
# baseline) on DATABASE_URL (PostgreSQL, the 1M-order demo province), then one table.
# BENCH_ARGS="--with-load --with-faults" adds the load test and the fault drills.
bench: setup
	PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=scorecard.settings $(BIN)/python bench/run_all.py $(BENCH_ARGS)

# 50 users for 2 minutes against gunicorn + PostgreSQL (DATABASE_URL) + Redis (bench/load.py).
load: setup
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/load.py $(LOAD_ARGS)

# Fault drills on a private PostgreSQL, Redis and tmpfs (bench/faults.py; root for the tmpfs).
faults: setup
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/faults.py

clean:
	rm -rf var .pytest_cache
