"""The layering holds: the import contracts of ``pyproject.toml`` ([tool.importlinter]), and
what a web process actually loads when it serves the pages that talk about grading."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from django.conf import settings

from exercises.bank.importer import import_problems
from scripts import check_imports
from tests.workers import worker_env

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_the_import_contracts_hold():
    """grader imports no Django/Celery/exercises/config; pages, the API and the admin never
    import the sandbox, the code kind or the task bodies; domain packages never import the web
    layers; packages talk to each other only through their services and selectors (``make
    lint`` runs the same check)."""
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_no_unexplained_function_level_import_and_no_import_cycle():
    """``scripts/check_imports.py`` (``make lint``) passes on the repository."""
    result = subprocess.run(
        [sys.executable, "scripts/check_imports.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_check_finds_an_unexplained_import_and_a_cycle():
    source = (
        "import json\n"
        "def quiet():\n"
        "    from exercises import access\n"
        "def said():\n"
        "    # cycle: the models load after this module\n"
        "    from exercises.models import Cohort\n"
        "def lazy():\n"
        "    from grader.sandbox import run_calls  # lazy: workers only\n"
        "def external():\n"
        "    import numpy\n"
    )
    assert check_imports.unexplained_imports(source, "m.py") == [
        "m.py:3: function-level import without a reason"
    ]
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert check_imports.cycles(graph) == [["p.a", "p.b", "p.c"]]


# Serves the given URLs to the given user the way a web process does, in a fresh interpreter,
# and says which of the worker-only modules that loaded.
SERVE = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
statuses = [client.get(url).status_code for url in sys.argv[2:]]
worker_only = (
    "grader.sandbox",
    "exercises.submissions.tasks",
    "exercises.bank.tasks",
    "exercises.bank.soundness",
    "exercises.ops.tasks",
)
loaded = sorted(m for m in sys.modules if m.startswith(worker_only))
print(json.dumps({"statuses": statuses, "loaded": loaded}))
"""


@pytest.mark.django_db(transaction=True)
def test_the_preview_page_and_healthz_never_load_the_sandbox(instructor, tmp_path):
    """A code problem's preview, its self-check request and its polling, and /healthz: a web
    process serves them all without importing the sandbox (the worker runs the check)."""
    folder = tmp_path / "implement-conv2d"
    shutil.copytree(Path(settings.STRIDE["CONTENT_DIR"]) / "implement-conv2d", folder)
    import_problems(folder)
    base = "/teach/problems/implement-conv2d"
    urls = [f"{base}/preview", f"{base}/preview?seed=3&check=1", f"{base}/preview/check"]
    result = subprocess.run(
        [sys.executable, "-c", SERVE, instructor.username, *urls, "/healthz"],
        cwd=ROOT,
        env=worker_env(CELERY_TASK_ALWAYS_EAGER="0"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["statuses"][:3] == [200, 200, 200]
    assert report["loaded"] == []


# The admin's problem form in a fresh interpreter: its change page, then the same form bound to
# the problem's own values and validated, as saving the page does (the importer's checks, the
# code kind's limits among them). Says which worker-only modules that loaded.
ADMIN_SAVE = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from exercises.admin import ProblemAdminForm
from exercises.models import Problem
problem = Problem.objects.get(slug=sys.argv[2])
client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
status = client.get(f"/admin/exercises/problem/{problem.pk}/change/").status_code
unbound = ProblemAdminForm(instance=problem)
data = {}
for name in unbound.fields:
    value = unbound[name].value()
    data[name] = "".join(value) if isinstance(value, str) else value  # JSON as posted text
form = ProblemAdminForm(data=data, instance=problem)
valid = form.is_valid()
worker_only = ("grader.sandbox", "exercises.submissions.tasks", "exercises.bank.soundness")
loaded = sorted(m for m in sys.modules if m.startswith(worker_only))
print(json.dumps({"status": status, "valid": valid, "errors": form.errors, "loaded": loaded}))
"""


@pytest.mark.django_db(transaction=True)
def test_the_admin_problem_form_never_loads_the_sandbox(tmp_path, django_user_model):
    """Opening a code problem in the admin and saving it checks its spec as the importer does
    (its limits included) in the web process, without loading the sandbox."""
    folder = tmp_path / "implement-conv2d"
    shutil.copytree(Path(settings.STRIDE["CONTENT_DIR"]) / "implement-conv2d", folder)
    import_problems(folder)
    django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-admin")
    result = subprocess.run(
        [sys.executable, "-c", ADMIN_SAVE, "root", "implement-conv2d"],
        cwd=ROOT,
        env=worker_env(CELERY_TASK_ALWAYS_EAGER="0"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == 200
    assert report["valid"], report["errors"]
    assert report["loaded"] == []
