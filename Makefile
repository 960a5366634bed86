# Django Signals Lab. The two commands: `make lab` and `make test`.
# Both create a virtualenv on first use and (re)install requirements.txt when it changes.
#
# The Python that creates the virtualenv picks the Django (requirements.txt markers):
# 3.12 or later -> Django 6.1, 3.11 -> Django 5.2 LTS. Each interpreter gets its own
# virtualenv: .venv for the default `python3`, .venv-<name> for another one, so
# `make test PYTHON=python3.13` (or a path to an interpreter) never touches .venv.

PYTHON ?= python3
VENV   ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(notdir $(PYTHON)))
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8888
# -n: xdist workers, two per core: much of the suite's time is waiting (kernels
# starting, servers answering, subprocesses, checks stopping code that never
# returns), and extra workers fill it. On 2 cores: 187 s with 2 workers, 158 s
# with 3, then (lighter CLI and kernels) 141.6 s with 3 and 132.0 s with 4 on
# Django 6.1. tests/scheduling.py says how the work is spread.
WORKERS ?= $(shell $(PYTHON) -c 'import os; print(2 * (os.cpu_count() or 1))' 2>/dev/null || echo auto)

# EX: an exercise number for check / hint / reset (make check EX=03).
EX ?=
LAB := $(BIN)/signals-lab

.PHONY: lab test django-version install init progress check hint reset watch execute exercises coverage bench lint clean help

help:
	@echo "make lab          create/update your workspace and open it in JupyterLab (http://$(HOST):$(PORT), token on)"
	@echo "make test         run the whole test suite (unit tests + strict nbval)"
	@echo "                  on another Python/Django: make test PYTHON=python3.13 (its own .venv-python3.13)"
	@echo "make init         create/update your workspace, without Jupyter"
	@echo "make progress     your exercise progress and the next step"
	@echo "make check EX=03  run your exercise 03 in a fresh kernel; one verdict"
	@echo "make hint EX=03   the next hint for exercise 03"
	@echo "make reset EX=03  put exercise 03 back to its start (your version is kept once)"
	@echo "make watch        re-check an exercise each time you save it"
	@echo "maintainers: make execute [NB=...], make exercises, make coverage, make bench, make lint"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	    echo "Django Signals Lab needs Python 3.11 or later; '$(PYTHON)' is not (or is not found)."; \
	    echo "Pick one: make $(MAKECMDGOALS) PYTHON=python3.13 (or a path to an interpreter)."; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@# jupyter-events pulls in rfc3987-syntax (an optional extra of jsonschema) that
	@# builds parsers at import time: `import nbformat` costs ~0.9 s with it, 0.1 s
	@# without. Nothing here validates IRIs, and jsonschema skips formats it cannot check.
	$(BIN)/python -m pip uninstall --disable-pip-version-check -q -y rfc3987-syntax
	$(BIN)/python -m signals_lab.tools.kernel
	@touch $(STAMP)

install: $(STAMP)

# Which Django this virtualenv runs (CI checks it after each run).
django-version: $(STAMP)
	@$(BIN)/python -c 'import django, sys; print(f"Django {django.get_version()} on Python {sys.version.split()[0]} ($(VENV))")'

lab: $(STAMP)
	$(LAB) lab --host $(HOST) --port $(PORT)

init progress: $(STAMP)
	$(LAB) $@

check hint reset: $(STAMP)
	@test -n "$(EX)" || { echo "Which exercise? e.g. make $@ EX=03"; exit 2; }
	$(LAB) $@ $(EX)

watch: $(STAMP)
	$(LAB) watch $(EX)

# VENV is exported so that tests running `make` as a subprocess use this same virtualenv.
test: $(STAMP)
	VENV=$(VENV) $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile

execute: $(STAMP)
	$(BIN)/python -m signals_lab.tools.notebooks execute $(NB)

exercises: $(STAMP)
	$(BIN)/python -m signals_lab.tools.notebooks exercises

coverage: $(STAMP)
	$(BIN)/python -m signals_lab.tools.coverage

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tutorial_project signals_lab tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
