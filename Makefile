# Django Signals Lab. The two commands: `make lab` and `make test`.
# Both create .venv on first use and (re)install requirements.txt when it changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8888
# -n: xdist workers for the notebooks ("auto" = one per core).
WORKERS ?= auto

.PHONY: lab test install execute exercises check-exercises progress bench lint clean help

help:
	@echo "make lab        open the lessons in JupyterLab (http://$(HOST):$(PORT), token on)"
	@echo "make test       run the whole test suite (unit tests + strict nbval)"
	@echo "make execute    re-run notebooks/ and solutions/ and store their outputs"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make progress   show your exercise progress"
	@echo "make bench      measure boot, kernel and nbval costs"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@# jupyter-events pulls in rfc3987-syntax (an optional extra of jsonschema) that
	@# builds parsers at import time: `import nbformat` costs ~0.9 s with it, 0.1 s
	@# without. Nothing here validates IRIs, and jsonschema skips formats it cannot check.
	$(BIN)/python -m pip uninstall --disable-pip-version-check -q -y rfc3987-syntax
	@touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/python -m tutorial_project.lab.launch --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile

execute: $(STAMP)
	$(BIN)/python -m tutorial_project.lab.notebooks execute $(NB)

exercises: $(STAMP)
	$(BIN)/python -m tutorial_project.lab.notebooks exercises $(if $(FORCE),--force)

progress: $(STAMP)
	$(BIN)/python manage.py exercises

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tutorial_project tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
