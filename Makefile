# Linli: `make demo` serves the Xigong demo on SQLite; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LINLI := $(BIN)/linli
HOST ?= 127.0.0.1
PORT ?= 8000
export LINLI_DEMO_PASSWORD ?= linli-demo-2026

.PHONY: demo test bench install install-dev browser-deps messages lint typecheck clean serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installs are stamped by the files that define them, so re-running is instant.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's chromium drives the page tests; fonts-noto-cjk renders Chinese in generated
# images and documents. Installed only when missing (needs root, as on CI).
browser-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	  else echo "chromium/fonts-noto-cjk missing: run 'sudo apt-get install chromium fonts-noto-cjk'"; fi; \
	fi

demo: install
	mkdir -p var
	$(LINLI) migrate --no-input -v0
	$(LINLI) demo build --if-empty
	$(LINLI) demo accounts
	$(LINLI) renewal seed-review-rules
	$(LINLI) renewal demo --if-empty
	$(LINLI) renewal supervise
	$(LINLI) consultation demo --if-empty
	$(LINLI) elevators demo --if-empty
	$(LINLI) collectstatic --no-input -v0
	@echo ""
	@echo "  Linli demo: http://$(HOST):$(PORT)/"
	@echo "  Log in as admin, demo-district, demo-zone, demo-subdistrict, demo-community,"
	@echo "  demo-property, demo-department or demo-resident, password: $$LINLI_DEMO_PASSWORD"
	@echo "  (set LINLI_DEMO_PASSWORD to choose another)"
	@echo ""
	$(LINLI) runserver $(HOST):$(PORT) --noreload

test: install-dev browser-deps
	mkdir -p var
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(LINLI) check
	$(LINLI) makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

typecheck: install-dev
	$(BIN)/mypy src

bench: install-dev
	$(BIN)/python bench/run.py

messages: install-dev
	cd src/linli && ../../$(LINLI) makemessages -l en --no-obsolete && ../../$(LINLI) compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
