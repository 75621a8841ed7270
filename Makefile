# One-command set-up: `make demo` and `make test` create the virtual environment on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
CORPUS := $(if $(wildcard $(SHARED)/corpus),$(SHARED)/corpus,samples/corpus)
STORE  ?= .kg-demo
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test fuzz lint-tools install-browser clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/kg

install: $(BIN)/kg lint-tools

tools/cypher-lint/node_modules: tools/cypher-lint/package.json
	@if command -v npm >/dev/null 2>&1; then (cd tools/cypher-lint && npm ci --silent --no-audit --no-fund) \
	  || echo "npm ci failed: the Cypher lint test will be skipped"; \
	else echo "npm not found: the Cypher lint test will be skipped"; fi
	@touch tools/cypher-lint/node_modules 2>/dev/null || true

tools/screenshots/node_modules: tools/screenshots/package.json
	@if command -v npm >/dev/null 2>&1; then (cd tools/screenshots && npm ci --silent --no-audit --no-fund) \
	  || echo "npm ci failed: the browser screenshot test will be skipped"; fi
	@touch tools/screenshots/node_modules 2>/dev/null || true

lint-tools: tools/cypher-lint/node_modules tools/screenshots/node_modules

demo: install
	rm -rf $(STORE)
	$(BIN)/kg ingest $(CORPUS) --store $(STORE)
	$(BIN)/kg stats --store $(STORE)
	$(BIN)/kg ask "Who makes sulfide pilot lines?" --store $(STORE)
	$(BIN)/kg lines --store $(STORE)

test: install install-browser
	$(BIN)/python -m pytest

# The release fuzz run: fresh inputs (KG_FUZZ_EXAMPLES per property, 2500 by default) and the full pathological
# sizes; failures are kept in tests/.hypothesis and replayed until fixed.
fuzz: install
	KG_FUZZ_DEEP=1 $(BIN)/python -m pytest tests/pipelines/test_fuzz.py --hypothesis-show-statistics

clean:
	rm -rf $(VENV) .kg .kg-demo tools/cypher-lint/node_modules

# Headless Chromium for the end-to-end explorer test (Debian's package; skipped with a reason when unavailable).
install-browser:
	@command -v chromium >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && \
	   apt-get install -y -q chromium >/dev/null 2>&1)) || echo "chromium not installed: browser test will be skipped")
