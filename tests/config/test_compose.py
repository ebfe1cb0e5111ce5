"""docker-compose.yml is not run here (no Docker engine); parse it and check what it promises."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_defines_the_services_of_the_design():
    services = load()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "worker-background", "beat"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_every_stateful_service_has_a_health_check_and_a_volume():
    compose = load()
    for name in ("postgres", "redis"):
        assert "healthcheck" in compose["services"][name]
        assert compose["services"][name]["volumes"]
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])


def test_web_migrates_and_serves_with_make_serve_after_the_services_are_healthy():
    web = load()["services"]["web"]
    command = web["command"] if isinstance(web["command"], str) else " ".join(web["command"])
    assert "migrate" in command and "exec make serve" in command
    assert web["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthz" in " ".join(web["healthcheck"]["test"])


def test_the_worker_consumes_the_grading_queue_one_task_at_a_time():
    worker = load()["services"]["worker"]
    command = " ".join(worker["command"])
    assert "celery -A config worker" in command
    assert "-Q grading " in command  # live grading only: never behind the low-priority queue
    assert "--prefetch-multiplier 1" in command


def test_the_low_priority_queue_has_a_worker_of_its_own_at_a_lower_cpu_priority():
    services = load()["services"]
    background = services["worker-background"]
    command = " ".join(background["command"])
    assert command.startswith("nice -n 10 celery -A config worker -Q regrade ")
    assert "--concurrency 1" in command
    # The same image, environment and sandbox privileges as the grading worker (code regrades
    # run in the sandbox too).
    for key in ("image", "environment", "security_opt", "tmpfs", "pids_limit", "depends_on"):
        assert background[key] == services["worker"][key], key


def test_the_worker_may_create_the_sandbox_namespaces():
    worker = load()["services"]["worker"]
    assert "seccomp=unconfined" in worker["security_opt"]
    assert "apparmor=unconfined" in worker["security_opt"]
    assert "privileged" not in worker  # namespaces, not a privileged container
    text = (ROOT / "docker-compose.yml").read_text()
    assert "namespaces" in text  # the privilege is explained where it is granted


def test_beat_runs_the_sweeper_and_every_app_service_shares_the_environment():
    services = load()["services"]
    assert "beat" in " ".join(services["beat"]["command"])
    for name in ("web", "worker", "worker-background", "beat"):
        env = services[name]["environment"]
        assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(env)
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert "@postgres:5432/" in env["DATABASE_URL"]


def test_the_image_serves_with_make_serve_which_runs_gunicorn_with_its_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["make", "serve"]' in dockerfile
    assert "STRIDE_BIND=0.0.0.0:8000" in dockerfile  # reachable from outside the container
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "gunicorn -c config/gunicorn.conf.py config.wsgi" in recipe
