# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
PYTHON ?= python3

.PHONY: install demo test lint typecheck format clean migration

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	# Bytecode at install time: where PYTHONDONTWRITEBYTECODE is set, every server and CLI
	# process the tests start would otherwise recompile the libraries (4 s instead of 1.5 s).
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/labelshare --db sqlite:///demo.db --media-dir demo-media demo

test: install lint
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy src/labelshare

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm demo-media .pytest_cache .mypy_cache .ruff_cache

# make migration NAME="settlement tables" REV=0003: a migration for unmigrated models.
migration: install
	$(PY) -c 'import sys; from labelshare.store.migrate import autogenerate_revision as a; a(sys.argv[1], sys.argv[2])' "$(NAME)" "$(REV)"
