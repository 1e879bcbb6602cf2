# The two set-up commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run test demo migrate lint format migrations-check reset-local-db system-packages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when a requirements file changed, so a second `make run` is quick.
$(VENV)/.stamp-runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.stamp-runtime

migrate: $(VENV)/.stamp-runtime
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

run: demo
	@echo "Serving on http://$(HOST)/  (stop with Ctrl-C)"
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# Browser tests drive Debian's Chromium; install it (and pdftoppm, fonts) when missing.
SYSTEM_PACKAGES := chromium poppler-utils fonts-liberation gettext
system-packages:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null && command -v msgfmt >/dev/null \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES))

test: $(VENV)/.stamp-dev system-packages
	SECRET_KEY=test-only-secret-key HTTPS=0 $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(VENV)/.stamp-runtime
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

reset-local-db:
	rm -f db.sqlite3
	$(MAKE) demo
