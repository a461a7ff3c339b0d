# toex: every set-up step lives here, so a fresh machine needs only `make demo` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
DATA ?= var
SCALE ?= small
SEED ?= 7
# Tests use this PostgreSQL server for the operational store tier (CI machines run one).
# Package downloads trust the machine's CA store (networks here intercept TLS with a local CA).
export UV_SYSTEM_CERTS := 1
ifneq ($(wildcard /etc/ssl/certs/ca-certificates.crt),)
export SSL_CERT_FILE ?= /etc/ssl/certs/ca-certificates.crt
endif
export TOEX_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
APT_PACKAGES := chromium chromium-driver fonts-dejavu-core fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz0b libjpeg62-turbo openjdk-17-jre-headless poppler-utils wrk

.PHONY: install system-deps demo test test-fast lint bench docs pack-example clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# System packages: Chromium for browser tests, Java for the Spark tier, WeasyPrint's libraries
# and the packs' fonts (Liberation Sans, DejaVu), poppler-utils (pdftotext, pdftoppm).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

install: $(UV) system-deps
	$(UV) sync --frozen --all-extras --compile-bytecode

demo: install
	$(BIN)/toex synth --scale $(SCALE) --seed $(SEED) --out $(DATA)/synth/$(SCALE)
	$(BIN)/toex synth --stats $(DATA)/synth/$(SCALE)
	$(BIN)/toex run --data-dir $(DATA) $(DATA)/synth/$(SCALE)
	$(BIN)/toex tracker import --data-dir $(DATA) --by demo $(DATA)/synth/$(SCALE)/tracker
	$(BIN)/toex serve --data-dir $(DATA) --demo-accounts

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Benchmarks at the issues' target scales; each prints its figures and updates docs/benchmarks.md.
bench: install
	$(BIN)/python -m bench.bench_synth
	$(BIN)/python -m bench.bench_ingest --scale large
	$(BIN)/python -m bench.bench_resolve --scale large
	$(BIN)/python -m bench.bench_link
	$(BIN)/python -m bench.bench_stim
	$(BIN)/python -m bench.bench_web --scale large
	$(BIN)/python -m bench.bench_dashboard
	$(BIN)/python -m bench.bench_impact --seeds 50

# The small set's Cambridgeshire pack as the force would receive it (its organisation sharing
# data with the Eastern region's forces; a store of its own under $(DATA)/pack-example), and
# PNG images of its first pages and of its first suspect profile in docs/images/ (shown in
# docs/publish.md).
PACK_EXAMPLE := $(DATA)/pack-example
pack-example: install
	@test -f $(DATA)/warehouse/CURRENT || { \
	  $(BIN)/toex synth --scale small --seed 7 --out $(DATA)/synth/small && \
	  $(BIN)/toex run --data-dir $(DATA) $(DATA)/synth/small; }
	rm -rf $(PACK_EXAMPLE) && mkdir -p $(PACK_EXAMPLE) docs/images
	export TOEX_OPS_DATABASE_URL=sqlite:///$(abspath $(PACK_EXAMPLE))/ops.sqlite \
	  TOEX_FTTCG_CALENDAR=docs/examples/fttcg-calendar.yaml && \
	$(BIN)/toex org add force-cambs --kind force --force cambs \
	  --name "Cambridgeshire Constabulary" --data-dir $(DATA) && \
	for f in cambs essex norfolk; do $(BIN)/toex org agree force-cambs $$f --data-dir $(DATA); done && \
	$(BIN)/toex publish pack --force cambs --meeting 2026-01-09 --today 2026-01-02 \
	  --data-dir $(DATA) --out $(PACK_EXAMPLE) --author pack-example
	rm -f docs/images/pack-example-*.png
	pdftoppm -r 70 -png -f 1 -l 4 $(PACK_EXAMPLE)/*.pdf docs/images/pack-example
	page=$$(for i in $$(seq 1 40); do pdftotext -f $$i -l $$i $(PACK_EXAMPLE)/*.pdf - \
	  | grep -q "^Suspect 1:" && { echo $$i; break; }; done); \
	pdftoppm -r 70 -png -f $$page -l $$page -singlefile $(PACK_EXAMPLE)/*.pdf \
	  docs/images/pack-example-suspect

docs: install
	$(BIN)/toex docs cli > docs/cli.md
	$(BIN)/toex docs data-model > docs/data-model.md
	$(BIN)/toex docs configuration > docs/configuration.md

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
