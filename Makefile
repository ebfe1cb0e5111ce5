# Stride: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench lock install clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# torch is a measuring tool, never a dependency of test/demo: pinned CPU build, installed here only.
bench: $(STAMP)
	$(PIP) install -q torch==2.13.0
	$(PY) -m bench $(BENCH_ARGS)

lock: $(STAMP)
	{ echo "# The lock: exact versions make test/demo install (pip install -c constraints.txt -e .[dev])."; \
	  echo "# Regenerate: make lock"; $(PIP) freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
