# Two entry points for a fresh machine (Python 3.11, git, make):
#   make serve   install, then serve the bundled data in Datasette on http://127.0.0.1:8001
#   make test    install, then run the whole test suite (python -m pytest)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Datasette's port and host; override with `make serve PORT=8002`.
HOST ?= 127.0.0.1
PORT ?= 8001

# The exact versions tested (pyproject.toml's extras give ranges); `make constraints` renews them.
CONSTRAINTS := constraints.txt
# The browser tests' Chromium, found exactly as the tests find it (tests/browser.py).
FIND_CHROMIUM := $(PYTHON) tests/browser.py
# `make test SYRIA_INCIDENTS_CHROMIUM=/path` reaches the finder and the tests too.
export SYRIA_INCIDENTS_CHROMIUM

.PHONY: serve test install install-test browser info validate release constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[datasette]'

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[test]'

# A Chromium for the browser tests. tests/browser.py looks, in order, at
# $SYRIA_INCIDENTS_CHROMIUM, then chromium, chromium-browser, google-chrome,
# google-chrome-stable on PATH, then /usr/bin/chromium. Only when none is found and we
# are root does this install Debian's chromium (Playwright's own download cannot work
# here); otherwise it says what to do and goes on: the browser tests then skip, saying
# what they need (under CI=true they fail instead, with the same message).
browser:
	@status=0; found=$$($(FIND_CHROMIUM) 2>/dev/null) || status=$$?; \
	if [ $$status -eq 0 ]; then \
	  echo "browser tests: using $$found"; \
	elif [ $$status -eq 1 ] && [ "$$(id -u)" -eq 0 ]; then \
	  echo "browser tests: no Chromium found; installing Debian's chromium (apt-get, as root)"; \
	  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  then echo "browser tests: using $$($(FIND_CHROMIUM))"; \
	  else echo "browser tests: apt-get could not install chromium; the browser tests will say what they need" >&2; fi; \
	else \
	  $(FIND_CHROMIUM) >/dev/null || true; \
	  if [ $$status -eq 1 ]; then \
	    echo "browser tests: not root, so not installing one. Install chromium (sudo apt-get install chromium)," >&2; \
	    echo "  or point at a Chromium or Chrome you have: SYRIA_INCIDENTS_CHROMIUM=/path/to/chrome make test" >&2; \
	  fi; \
	  echo "browser tests: going on without a browser; those tests will skip (fail under CI=true)" >&2; \
	fi

serve: install
	$(BIN)/syria-incidents serve --host $(HOST) --port $(PORT)

test: install-test browser
	$(BIN)/python -m pytest

info: install
	$(BIN)/syria-incidents info

# A release: stamp, validate, check the version against the latest v* tag (or
# BASE=ref), write the changelog section, build sdist, wheel and database into dist/.
release: install-test
	$(BIN)/syria-incidents release $(if $(BASE),--base $(BASE))

# Renew constraints.txt: the newest versions within pyproject.toml's ranges, installed
# into a throw-away venv, frozen (every package, transitive ones too, but this one).
constraints:
	rm -rf build/constraints-venv
	$(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/python -m pip install --quiet --upgrade pip
	build/constraints-venv/bin/python -m pip install --quiet '.[test]'
	{ grep '^#' $(CONSTRAINTS); build/constraints-venv/bin/python -m pip freeze --all --exclude syria-incidents; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf build/constraints-venv

clean:
	rm -rf dist build .pytest_cache
