"""Start-up failures read as one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what the test names: no test-suite defaults (STRIDE_*) leak into "production".
    dropped = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in dropped and not k.startswith(("STRIDE_", "DJANGO_"))
    }
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_secret_key_in_production_is_one_clear_line():
    result = run_manage("check")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY is not set" in lines[0]
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_clear_line(tmp_path):
    result = run_manage(
        "migrate",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://nobody@127.0.0.1:1/stride",
        STRIDE_HTTPS="0",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("stride: cannot reach the database")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_broker_fails_preflight_with_one_line(tmp_path):
    result = run_manage(
        "preflight",
        SECRET_KEY="x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:1/0",
        STRIDE_HTTPS="0",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot reach the broker" in result.stderr


def test_a_bad_boolean_names_the_variable():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode == 1
    assert "DEBUG must be one of" in result.stderr


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" * 30 + "Zq9!x" * 6,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ALLOWED_HOSTS="stride.example.edu",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_trusted_proxy_entry_is_one_clear_line_naming_it():
    result = run_manage(
        "check", SECRET_KEY="x" * 50, STRIDE_HTTPS="0", STRIDE_TRUSTED_PROXIES="10.0.0.0/8,bogus"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "STRIDE_TRUSTED_PROXIES" in lines[0] and "'bogus'" in lines[0]
