# Two commands a newcomer needs: `make run` (service with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KOHTAAMO_DATA_DIR ?= var
export XDG_RUNTIME_DIR ?= $(CURDIR)/var/run

.PHONY: run test install model demo lint typecheck pytest bench chromium clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, and exactly this version: it is the local CPU build (any other pulls CUDA).
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

model: $(STAMP)
	$(BIN)/kohtaamo model build

demo: model
	$(BIN)/kohtaamo migrate
	$(BIN)/kohtaamo demo load

run: demo
	$(BIN)/kohtaamo serve --host 127.0.0.1 --port 8000

chromium:
	@test -x /usr/bin/chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) model chromium
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: model
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var
