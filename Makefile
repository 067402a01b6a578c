# Two commands a newcomer needs: `make run` (service with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KOHTAAMO_DATA_DIR ?= var
export XDG_RUNTIME_DIR ?= $(CURDIR)/var/run

.PHONY: run test install model demo lint typecheck pytest bench chromium clean

# pip's own chatter (warnings about this machine's package indexes, build-backend notices) goes to
# INSTALL_LOG, which is printed only if the install fails. torch is installed first, and exactly this
# version: it is the local CPU build (any other pulls CUDA).
INSTALL_LOG := $(VENV)/install.log

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@echo "installing Kohtaamo and its packages into $(VENV) (pip's output: $(INSTALL_LOG))"
	@{ $(BIN)/pip install --upgrade pip \
	  && $(BIN)/pip install torch==2.13.0 \
	  && $(BIN)/pip install -e '.[dev,milvus]'; } > $(INSTALL_LOG) 2>&1 \
	  || { cat $(INSTALL_LOG); echo "the install failed: see above"; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

# The run chain prints the product's own progress only: its commands are not echoed.
model: $(STAMP)
	@$(BIN)/kohtaamo model build

demo: model
	@$(BIN)/kohtaamo migrate
	@$(BIN)/kohtaamo demo load

run: demo
	@$(BIN)/kohtaamo serve --host 127.0.0.1 --port 8000

chromium:
	@test -x /usr/bin/chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) model chromium
	$(BIN)/pytest -q -n 2

test: lint typecheck pytest

bench: model
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var
