# Two entry points for a fresh machine (Python 3.11, git, make):
#   make serve   install, then serve the bundled data in Datasette on http://127.0.0.1:8001
#   make test    install, then run the whole test suite (python -m pytest)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Datasette's port and host; override with `make serve PORT=8002`.
HOST ?= 127.0.0.1
PORT ?= 8001

.PHONY: serve test install install-test browser info validate release clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[datasette]'

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

# Debian's Chromium for the browser tests (Playwright's own download cannot work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

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

clean:
	rm -rf dist build .pytest_cache
