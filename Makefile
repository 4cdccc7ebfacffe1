# Gongzhi: `make demo` serves the demo city, `make test` runs the whole suite.
# Everything is installed by these rules into .venv (Python) and node_modules (front-end), so both
# commands work from a fresh clone on a new machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
VENDOR := gongzhi/web/static/vendor
MO := gongzhi/locale/zh_Hans/LC_MESSAGES/django.mo
SCALE ?= 3000
WORKERS ?= auto

.PHONY: demo test lint bench install static i18n messages migrate clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

static: $(VENDOR)/.copied

$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/leaflet
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	touch $@

i18n: $(MO)

$(MO): $(STAMP) $(wildcard gongzhi/locale/*/LC_MESSAGES/django.po gongzhi/*/locale/*/LC_MESSAGES/django.po)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# Re-extract messages after changing user-facing strings, then translate the new entries.
# Apps with their own locale/ directory keep their own catalogue; the rest share gongzhi/locale.
APP_LOCALES := $(wildcard gongzhi/*/locale)
messages: $(STAMP)
	for dir in $(APP_LOCALES:/locale=); do (cd $$dir && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages \
		-l zh_Hans -l en --no-obsolete --ignore='tests/*' -v0) || exit 1; done
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=node_modules \
		--ignore='*/tests/*' --ignore=tests --ignore=bench --ignore=var \
		$(foreach d,$(APP_LOCALES:/locale=),--ignore='$(d:gongzhi/%=%)/*') -v0

migrate: install i18n
	$(PY) manage.py migrate --noinput -v0

demo: install static i18n
	DEBUG=1 GONGZHI_DEMO=1 $(PY) manage.py migrate --noinput -v0
	DEBUG=1 GONGZHI_DEMO=1 $(PY) manage.py demo_seed --scale $(SCALE)
	@echo "Serving the demo city on http://127.0.0.1:8000  (Ctrl-C stops it)"
	DEBUG=1 GONGZHI_DEMO=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install static i18n
	$(PY) -m pytest -n $(WORKERS) -q

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run -v1
	$(VENV)/bin/lint-imports

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
