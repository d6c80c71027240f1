# Two commands a newcomer needs: `make run` and `make test`. Both are safe to re-run.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test setup install lint format check messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

setup: install
	mkdir -p var
	$(MANAGE) compile_translations
	$(MANAGE) migrate --no-input
	$(MANAGE) load_town_data
	$(MANAGE) setup_roles
	$(MANAGE) create_demo_accounts

run: setup
	@echo "Serving the portal at http://$(HOST):$(PORT)/"
	HUAGANG_CODES_ON_CONSOLE=1 $(MANAGE) runserver --insecure $(HOST):$(PORT)

# Production settings on this machine: gunicorn, a Celery worker and Celery beat from the
# Procfile (honcho; Ctrl-C stops all three). Variables come from the environment or from
# ENV_FILE (README.md, Configuration); a missing one is a one-line error, before anything
# starts. Migrations run first, then the static files are collected.
ENV_FILE ?= .env
SETTINGS ?= huagang.settings.production
HONCHO := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DJANGO_SETTINGS_MODULE=$(SETTINGS) \
	$(VENV)/bin/honcho --env $(ENV_FILE)

serve: install
	@mkdir -p var
	@$(HONCHO) run python -m huagang.preflight $(SETTINGS)
	$(HONCHO) run python manage.py compile_translations
	$(HONCHO) run python manage.py migrate --no-input
	$(HONCHO) run python manage.py setup_roles
	$(HONCHO) run python manage.py collectstatic --no-input --verbosity 0
	$(HONCHO) start --procfile Procfile

test: install
	mkdir -p var
	$(MANAGE) compile_translations
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	$(MANAGE) makemigrations --check --dry-run

# Update the catalogue after changing user-facing strings (needs GNU gettext), then
# translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po.
messages: install
	$(MANAGE) makemessages -l zh_Hans --no-location --ignore '.venv/*' \
		--ignore 'var/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'benchmarks/*'

clean:
	rm -rf $(VENV) var staticfiles
