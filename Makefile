# Dialogbot. `make run` and `make test` set up everything they need on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard locales/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
SOURCES := bot.py runtime.py $(shell find config services handlers exports scheduling storage sandbox fakes -name '*.py' 2>/dev/null)

# The browser tests drive Debian's Chromium through Playwright (never Playwright's own download).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: run test lint bench catalogs extract update-catalogs migrate clean browser fonts screenshots teams-package

# bot.py brings its database up to date as it starts (the sandbox's own, when it runs that).
run: $(STAMP) $(COMPILED)
	$(PY) bot.py run

test: $(STAMP) $(COMPILED) browser fonts
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks: ratios against baselines measured in the same run (benchmarks/README.md);
# prints them and writes benchmarks/RESULTS.md. Exits 0 whatever the numbers.
bench: $(STAMP) $(COMPILED)
	$(PY) benchmarks/run.py

# Installs Debian's chromium when it is missing (as root, or with sudo). Where that is not
# possible the browser tests are skipped locally and fail in CI (CI=true).
browser:
	@test -x $(CHROMIUM) || { \
		echo "make: installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get install -y -qq chromium >/dev/null 2>&1 \
		|| { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium >/dev/null; } \
		|| echo "make: could not install chromium; install it (or set CHROMIUM) to run the browser tests"; }

# The minutes' PDF embeds DejaVu Sans (exports/fonts.py): Debian's fonts-dejavu-core, installed
# when missing (as root, or with sudo), as chromium is above.
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf || test -n "$$DIALOG_PDF_FONT_DIR" || { \
		echo "make: installing Debian's fonts-dejavu-core for the minutes' PDF"; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get install -y -qq fonts-dejavu-core >/dev/null 2>&1 \
		|| { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq fonts-dejavu-core >/dev/null; } \
		|| echo "make: could not install fonts-dejavu-core; install DejaVu Sans (or set DIALOG_PDF_FONT_DIR)"; }

# The README's screenshots, taken from the real page by the browser tests.
screenshots: $(STAMP) $(COMPILED) browser
	DIALOG_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/sandbox/test_browser.py tests/sandbox/test_browser_practice.py \
		tests/sandbox/test_browser_email.py tests/sandbox/test_browser_teams.py

# The Teams app package to upload (README: "Connecting Microsoft Teams"), from TEAMS_APP_ID and
# DIALOG_PUBLIC_URL in the environment or .env; no bot needs to run. TEAMS_PACKAGE sets where it goes.
TEAMS_PACKAGE ?= dist/dialogbot-teams.zip
teams-package: $(STAMP)
	$(PY) -m teams.package --out $(TEAMS_PACKAGE)

lint: $(STAMP)
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/ruff check .

migrate: $(STAMP)
	$(PY) bot.py migrate

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

catalogs: $(COMPILED)

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -D messages -l $(word 2,$(subst /, ,$<)) -i $< -o $@

# Developers: after changing user-facing strings, re-extract and merge, then translate.
extract: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 -k plural_text:1,2 --no-location --sort-output \
		--project=Dialogbot -o locales/messages.pot bot.py runtime.py config services handlers exports scheduling storage sandbox fakes

update-catalogs: extract
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) locales/*/LC_MESSAGES/*.mo
