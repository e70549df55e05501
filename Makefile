# Short targets for every-day work. The README's two commands are `make run`
# and `make test`; everything they need is installed by the targets below.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages: WeasyPrint's HarfBuzz subsetting (without it one CJK page
# takes ~10 s), Japanese fonts (IPAex + Noto CJK for JIS X 0213 names),
# poppler (pdftotext/pdfsig/pdftoppm), libmagic (upload type sniffing),
# gettext (compiling translations).
SYSTEM_PACKAGES := libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
	fonts-ipaexfont fonts-noto-cjk poppler-utils libmagic1 gettext
# Tests also drive a real browser, sign in a software HSM (PKCS#11), scan
# uploads with a real clamd (on a test signature of their own) and start
# (and stop) private Redis servers for the outage and production tests.
TEST_SYSTEM_PACKAGES := chromium chromium-driver softhsm2 clamav-daemon redis-server

.PHONY: run test lint format bench messages system-deps test-system-deps venv venv-dev setup clean

# Documents print rare name characters from a small font made from the
# installed Noto (manage.py build_font_supplement); built once, in var/.
FONT_SUPPLEMENT := var/fonts/NotoSerifCJKjp-JIS2004-Regular.otf

run: system-deps venv $(FONT_SUPPLEMENT) setup  ## Set up everything and serve http://127.0.0.1:8000
	@# The background worker (notices, mail) beside the web server; it stops with it.
	DJANGO_DEBUG=true $(MANAGE) run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

setup:
	DJANGO_DEBUG=true $(MANAGE) migrate --noinput
	DJANGO_DEBUG=true $(MANAGE) compilemessages --ignore=.venv -v 0
	DJANGO_DEBUG=true $(MANAGE) seed_demo

test: system-deps test-system-deps venv-dev $(FONT_SUPPLEMENT)  ## Lint, migration check and the whole suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SECRET_KEY=check $(MANAGE) makemigrations --check --dry-run
	DJANGO_SECRET_KEY=check $(MANAGE) compilemessages --ignore=.venv -v 0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv-dev
	@for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

messages: venv  ## Refresh the English catalogue from the Japanese source strings
	DJANGO_DEBUG=true $(MANAGE) makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete

$(FONT_SUPPLEMENT): | $(VENV)/.installed
	DJANGO_DEBUG=true $(MANAGE) build_font_supplement --output $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

system-deps:
	@scripts/install-system-packages $(SYSTEM_PACKAGES)

test-system-deps:
	@scripts/install-system-packages $(TEST_SYSTEM_PACKAGES)

clean:
	rm -rf var/test .pytest_cache .ruff_cache
