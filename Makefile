# Chekara: `make demo` and `make test` are the two commands; both begin with `make install`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian 12 packages the app needs at run time, and the ones the tests add.
RUNTIME_DEBS := postgresql-15 postgresql-15-postgis-3
TEST_DEBS := chromium

# Install Debian packages that are missing; as non-root, say what to install and stop.
define ensure_debs
	@missing=""; \
	for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "Chekara needs these Debian packages:$$missing"; \
	    echo "Install them as root:  apt-get install -y --no-install-recommends$$missing"; \
	    exit 1; \
	  fi; \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

.PHONY: help install install-system install-test-system demo test test-unit serve clean

help:
	@echo "make install  set up everything (Debian packages, .venv, frontend assets)"
	@echo "make demo     install, start the embedded PostGIS, migrate, seed, serve"
	@echo "make test     install, then run every test (unit, integration, e2e, browser)"

install: install-system $(VENV)/.installed frontend/build/.built

install-system:
	$(call ensure_debs,$(RUNTIME_DEBS))
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" != 0 ]; then echo "Chekara needs Node.js and npm: apt-get install -y nodejs npm"; exit 1; fi; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm; }

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend/build/.built: frontend/node_modules/.installed frontend/scripts/build-basemap.cjs
	cd frontend && node scripts/build-basemap.cjs
	@touch $@

install-test-system:
	$(call ensure_debs,$(TEST_DEBS))

demo: install
	$(BIN)/chekara demo

serve: install
	$(BIN)/chekara serve

# Test files spread over TEST_WORKERS processes, each file whole in one (its module's server and
# database are set up once); every process has a scratch database of its own.
TEST_WORKERS ?= 2

test: install install-test-system
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test-unit: install
	$(BIN)/python -m pytest tests/unit

clean:
	-$(BIN)/chekara db down
	rm -rf $(VENV) frontend/node_modules frontend/build
