# Stride: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: demo test lint serve bench bench-tools lock install clean manage

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

# The .po catalogues compile to .mo first (pure Python): the suite checks they are current.
test: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py compile_translations
	$(PY) -m pytest $(PYTEST_ARGS)

# Django's command line for local use, e.g. make manage ARGS='import_problems my-problem':
# the venv's Python, and the demo's settings unless the environment says otherwise (demo mode:
# a development secret key, no HTTPS redirect; the demo's SQLite under var/ unless DATABASE_URL
# is set), so commands act on the database `make demo` serves. On a server, run
# .venv/bin/python manage.py with the server's own environment.
manage: $(STAMP)
	STRIDE_DEMO="$${STRIDE_DEMO-1}" STRIDE_HTTPS="$${STRIDE_HTTPS-0}" $(PY) manage.py $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_imports.py

# The one production web command; the Dockerfile and docker-compose.yml run it too. Every
# setting (STRIDE_BIND, default 127.0.0.1:8000; workers, threads, backlog, timeouts) is in
# config/gunicorn.conf.py with the reasons. exec: make's SIGTERM reaches gunicorn itself.
serve: $(STAMP)
	exec $(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

# The load generator of `make bench BENCH_ARGS=web`: Locust, in a venv of its own (.venv-bench),
# pinned by constraints.txt like everything else. Never in the project's venv: it brings gevent
# (which patches the interpreter it is imported in) and brotli (with which whitenoise's
# collectstatic, in make demo and the image, takes ten times as long).
BENCH_VENV := .venv-bench
LOCUST     := locust>=2.40,<3
$(BENCH_VENV)/.installed: constraints.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_VENV)/bin/pip install -q -c constraints.txt '$(LOCUST)'
	touch $@

bench-tools: $(BENCH_VENV)/.installed

# torch is a measuring tool, never a dependency of test/demo: pinned CPU build, installed here only.
# The pipeline and leaderboard benches need PostgreSQL and Redis: DATABASE_URL / REDIS_URL when
# set, else the machine's own services (each bench makes and drops its own scratch database).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
BENCH_REDIS_URL    ?= redis://127.0.0.1:6379/11
bench: $(STAMP) $(BENCH_VENV)/.installed
	$(PIP) install -q torch==2.13.0
	DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(BENCH_REDIS_URL)}" \
	  $(PY) -m bench $(BENCH_ARGS)

lock: $(STAMP) $(BENCH_VENV)/.installed
	{ echo "# The lock: exact versions make test/demo install (pip install -c constraints.txt -e .[dev])"; \
	  echo "# and make bench's load generator (.venv-bench: locust and what it needs)."; \
	  echo "# Regenerate: make lock"; \
	  { $(PIP) freeze --exclude-editable; $(BENCH_VENV)/bin/pip freeze; } | LC_ALL=C sort -f -u -t= -k1,1; } > constraints.txt

clean:
	rm -rf $(VENV) $(BENCH_VENV) var staticfiles .pytest_cache
