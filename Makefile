# Waspada — two commands do everything on a fresh machine:
#   make run    set up (virtualenv, Python and npm packages, database, demo data) and start the app
#   make test   the same set-up plus test tools and Chromium, then lint and the whole test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
export FLASK_APP := app:create_app
DEV := WASPADA_MODE=development

.PHONY: help run test bench stress crash setup assets db lint chromium clean

help:
	@echo "make run   – pasang semua, siapkan basis data dan data demo, jalankan di http://$(HOST):$(PORT)"
	@echo "make test  – pasang semua (termasuk Chromium), lalu lint dan seluruh pengujian"
	@echo "make bench – ukur kueri dan waktu halaman utama serta hitung ulang peringkat"
	@echo "make stress – 16 klien x 100 penulisan lewat 3 worker gunicorn; make crash – kill -9 worker 50 kali"

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Perlu Python 3.11 atau lebih baru (PYTHON=$(PYTHON))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/htmx.min.js: node_modules/.installed
	@mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

assets: static/vendor/htmx.min.js

setup: $(VENV)/.runtime assets

db: setup
	$(DEV) $(BIN)/flask init-db

run: db
	@$(DEV) $(BIN)/flask seed-demo --if-empty
	@echo
	@echo "Waspada berjalan di http://$(HOST):$(PORT)  (Ctrl+C untuk berhenti)"
	@echo
	$(DEV) $(BIN)/flask run --host $(HOST) --port $(PORT)

chromium:
	@test -x $(CHROMIUM) || { \
		echo "Memasang Chromium (Debian) untuk pengujian peramban..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: $(VENV)/.dev
	$(BIN)/ruff check .

test: $(VENV)/.dev assets chromium lint
	$(BIN)/python -m pytest

bench: $(VENV)/.dev
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/scoring.py

stress: $(VENV)/.dev db
	$(BIN)/python bench/stress.py

crash: $(VENV)/.dev db
	$(BIN)/python bench/crash.py

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .ruff_cache
