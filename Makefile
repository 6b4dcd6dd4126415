# One command runner: run, test, lint, bench. Each target installs what it needs on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
PORT ?= 8000
BIN = $(VENV)/bin

.PHONY: install browser bench-tools run test lint bench docs clean axe-update

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Headless browser tests (tests/browser) use Debian's chromium and fonts-noto-cjk (without them Japanese
# renders as boxes). Installed once, quietly, when missing; never a browser download of Playwright's own.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium and fonts-noto-cjk (apt)"; \
	    { apt-get update -qq >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; } \
	    || echo "apt-get could not install chromium/fonts-noto-cjk: browser tests will skip (fail in CI)"; \
	  else echo "chromium/fonts-noto-cjk missing and cannot apt-get install them here: browser tests will skip"; fi; \
	fi

# The load generator of the API and mixed-load figures: Debian's wrk (C, so the server sets the figures).
bench-tools:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing wrk (apt)"; \
	    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
	    || echo "apt-get could not install wrk: the API and mixed-load figures are skipped"; \
	  else echo "wrk missing and cannot apt-get install it here: the API and mixed-load figures are skipped"; fi; \
	fi

run: install
	$(BIN)/shien catalog load
	PORT=$(PORT) $(BIN)/shien serve

test: install browser
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check rules programs matcher web tests bench
	$(BIN)/mypy rules
	$(BIN)/lint-imports

bench: install bench-tools
	$(BIN)/python -m bench

docs: install
	$(BIN)/python -m rules.docs > docs/profile.md

# Refresh the vendored axe-core (tests/browser/vendor/axe-core) from the npm registry: make axe-update AXE=4.14.1
AXE ?= latest
axe-update:
	rm -rf var/axe && mkdir -p var/axe
	cd var/axe && npm pack --silent axe-core@$(AXE) >/dev/null && tar xzf axe-core-*.tgz
	cp var/axe/package/axe.min.js var/axe/package/LICENSE var/axe/package/LICENSE-3RD-PARTY.txt tests/browser/vendor/axe-core/
	node -p "require('./var/axe/package/package.json').version" > tests/browser/vendor/axe-core/VERSION
	rm -rf var/axe

clean:
	rm -rf $(VENV) var
