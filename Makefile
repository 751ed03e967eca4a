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

.PHONY: help run test bench bench-queries bench-backup stress crash lighthouse scan setup assets db lint chromium java wrk clean

help:
	@echo "make run   – pasang semua, siapkan basis data dan data demo, jalankan di http://$(HOST):$(PORT)"
	@echo "make test  – pasang semua (termasuk Chromium), lalu lint dan seluruh pengujian"
	@echo "make bench – wrk pada halaman utama (1 dan 16 klien, dibanding salinan statis), lalu lintas campuran,"
	@echo "    memori worker, dan pytest-benchmark skor (BENCH_DATA=folder instance; bawaan: data nasional 0.05)"
	@echo "make bench-queries – kueri SELECT dan waktu halaman utama pada data demo sebulan"
	@echo "make stress – 16 klien x 100 penulisan lewat 3 worker gunicorn; make crash – kill -9 worker 50 kali"
	@echo "    (DB=postgresql: pada basis data PostgreSQL sementara; PRELOAD=1: gunicorn --preload)"
	@echo "make bench-backup – waktu flask backup per 100 MB (SQLite dan PostgreSQL, basis data ~300 MB)"
	@echo "make lighthouse – Lighthouse 12 (seluler) pada beranda, laporan, peringkat; ~2 menit, di luar make test"
	@echo "make scan  – pindai keamanan: sqlmap (level 3, risk 2) atas setiap parameter, bandit, semgrep; 30–50 menit"
	@echo "make demo-national – data sintetis nasional ke instance/national (SCALE=0.05 bawaan, SCALE=1: lima tahun)"

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Perlu Python 3.11 atau lebih baru (PYTHON=$(PYTHON))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# --ignore-scripts: vnu-jar's postinstall would download a Java runtime when none is installed (see `java`).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
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

# The Nu Html Checker (vnu.jar, from npm) in the page-quality browser test runs on Java.
java:
	@command -v java >/dev/null || { \
		echo "Memasang Java (Debian) untuk pemeriksa HTML vnu..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }

lint: $(VENV)/.dev
	$(BIN)/ruff check .

test: $(VENV)/.dev assets chromium java lint
	$(BIN)/python -m pytest

# SELECTs and in-process time of the main pages, and build_ranking from the database, on a demo month.
bench-queries: $(VENV)/.dev
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/scoring.py

# DB=postgresql runs on a throwaway database on BENCH_POSTGRES_URL's server (bench/database.py).
LIVE_ARGS = --db $(or $(DB),sqlite) $(if $(PRELOAD),--preload)

stress: $(VENV)/.dev db
	$(BIN)/python bench/stress.py $(LIVE_ARGS)

crash: $(VENV)/.dev db
	$(BIN)/python bench/crash.py $(LIVE_ARGS)

bench-backup: $(VENV)/.dev
	$(BIN)/python bench/backup.py --db $(or $(DB),both)

# Lighthouse and its Puppeteer weigh ~110 MB, so they live in bench/lighthouse/ with a lock of their own.
bench/lighthouse/node_modules/.installed: bench/lighthouse/package.json bench/lighthouse/package-lock.json
	npm ci --prefix bench/lighthouse --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

lighthouse: $(VENV)/.dev assets chromium bench/lighthouse/node_modules/.installed
	CHROME_PATH=$(CHROMIUM) $(BIN)/python bench/lighthouse.py

# The scanners get a virtualenv of their own: semgrep pins click and wrapt older than the app's.
$(VENV)/scan/.installed: requirements-scan.txt $(VENV)/.runtime
	@test -x $(VENV)/scan/bin/python || $(PYTHON) -m venv $(VENV)/scan
	$(VENV)/scan/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-scan.txt
	@touch $@

# SCAN_ARGS: e.g. --jobs 4, --technique BEUSTQ (all of sqlmap's techniques), --only reports. (a partial run).
scan: $(VENV)/.dev $(VENV)/scan/.installed
	$(BIN)/python -m scan.run $(SCAN_ARGS)

# A national synthetic data set (38 provinces, 514 kab/kota) for benchmarks: SCALE=1 is five years
# (~890,000 reports, ~10 GB, minutes to make); the default 0.05 is 91 days. --force replaces an earlier file.
NATIONAL_DIR ?= instance/national
SCALE ?= 0.05
.PHONY: demo-national
demo-national: $(VENV)/.dev
	@mkdir -p $(NATIONAL_DIR)
	$(DEV) WASPADA_DATABASE_URL=sqlite:///$(abspath $(NATIONAL_DIR))/waspada.sqlite \
		$(BIN)/flask demo generate --scale $(SCALE) --force

# make bench (docs/performance.md): BENCH_DATA is an instance folder with waspada.sqlite, e.g.
# BENCH_DATA=/work/bench-data/national-1.0; without it the 0.05 set is made into $(NATIONAL_DIR) first.
# BENCH_DURATION per wrk run (quality.md suggests 20s), BENCH_REPEATS, BENCH_ARGS (e.g. --pages ranking,detail).
BENCH_DATA ?=
BENCH_DURATION ?= 10s
BENCH_REPEATS ?= 3
BENCH_ARGS ?=
bench: $(VENV)/.dev wrk $(if $(BENCH_DATA),,$(NATIONAL_DIR)/waspada.sqlite)
	@mkdir -p bench/results
	@status=0; \
	$(BIN)/python bench/httpbench.py --data $(or $(BENCH_DATA),$(NATIONAL_DIR)) --duration $(BENCH_DURATION) \
		--repeats $(BENCH_REPEATS) $(BENCH_ARGS) || status=1; \
	$(BIN)/python -m pytest bench/test_scoring_bench.py -p no:cacheprovider --benchmark-columns=min,median,max,rounds \
		--benchmark-json=bench/results/scoring-$$(date -u +%Y%m%d-%H%M%S).json || status=1; \
	exit $$status

$(NATIONAL_DIR)/waspada.sqlite:
	$(MAKE) demo-national NATIONAL_DIR=$(NATIONAL_DIR) SCALE=0.05

wrk:
	@command -v wrk >/dev/null || { \
		echo "Memasang wrk (Debian) untuk make bench..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

clean:
	rm -rf $(VENV) node_modules bench/lighthouse/node_modules static/vendor .pytest_cache .ruff_cache
