# zhibiao: two commands set everything up on a fresh machine.
#   make run    installs, migrates the SQLite database under var/, loads the demo data, serves
#               (gunicorn, and a Celery worker with beat for the background jobs)
#   make test   installs what the tests need and runs the whole suite
# HOST and PORT choose the address; DATABASE_URL another database (see README.md).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 3
MANAGE := $(BIN)/python manage.py
# What mypy checks in `make lint` ([tool.mypy] in pyproject.toml), issue 12: the pure packages,
# core, measures and verification (but their APIs: ninja's request.auth is untyped), the role
# checks and the services that pass; add a module once it passes.
TYPED_SERVICES := accounts applications audit awards bases committee dashboard jobs notifications \
	whatif
TYPED  := zhibiao/rules zhibiao/stdcodes zhibiao/core zhibiao/ops zhibiao/accounts/permissions.py \
	$(filter-out %/api.py,$(wildcard zhibiao/measures/*.py zhibiao/verification/*.py)) \
	zhibiao/measures/services zhibiao/measures/management zhibiao/measures/templatetags \
	zhibiao/standards/services/announcements.py zhibiao/standards/services/alerts.py \
	zhibiao/standards/services/status_changes.py \
	$(wildcard $(foreach app,$(TYPED_SERVICES),zhibiao/$(app)/services.py zhibiao/$(app)/services))

.PHONY: run serve test lint messages assets install install-dev clean

run: install assets
	ZHIBIAO_DEMO=1 $(MANAGE) migrate --noinput
	ZHIBIAO_DEMO=1 $(MANAGE) collectstatic --noinput -v 0
	ZHIBIAO_DEMO=1 $(MANAGE) load_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	@# A Celery worker with its beat (-B) runs the background jobs and the scheduled work beside
	@# gunicorn, on the broker of the settings (by default files under var/celery: nothing to
	@# install); the trap stops it when gunicorn stops.
	ZHIBIAO_DEMO=1 $(BIN)/celery -A zhibiao worker -B --loglevel=INFO \
		--without-mingle --without-gossip & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	ZHIBIAO_DEMO=1 ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$(HOST)}" \
		$(BIN)/gunicorn zhibiao.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--forwarded-allow-ips=127.0.0.1

# Production: no demo data, no demo accounts. Needs SECRET_KEY and ALLOWED_HOSTS (README.md).
# Logs are JSON lines (LOG_FORMAT); each request's line comes from the app, with its request id.
serve: install assets
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v 0
	$(BIN)/gunicorn zhibiao.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS)

# One test process per core (pytest-xdist; TEST_PROCESSES=1 for a single one), each with its
# own test database.
TEST_PROCESSES ?= auto
test: install-dev assets
	$(BIN)/pytest -n $(TEST_PROCESSES)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) makemessages -l zh_Hans --no-location -v 0
	$(BIN)/lint-imports
	$(BIN)/mypy $(TYPED)

# After adding or changing messages: extract, translate in locale/zh_Hans/.../django.po, compile.
messages: install-dev
	$(MANAGE) makemessages -l zh_Hans --no-location -v 0
	$(MANAGE) compilemessages -l zh_Hans -v 0

assets: zhibiao/static/vendor/.built

zhibiao/static/vendor/.built: node_modules/.package-lock.json scripts/build-assets.mjs
	npm run --silent build

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "zhibiao needs Python 3.11 or newer; set PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

clean:
	rm -rf $(VENV) node_modules zhibiao/static/vendor var/static
