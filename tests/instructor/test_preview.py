"""The authoring preview: any seed, params, the reference answer, each misconception's answer
and how it is diagnosed, and the self-check that the problem is sound."""

from __future__ import annotations

from exercises.bank import authoring, soundness
from tests import factories


def conv_params_problem():
    return factories.make_problem(
        "conv-params",
        kind="number",
        spec={"recipe": "conv-layer-params"},
        statement="{{ k }} filters of {{ f }}x{{ f }}x{{ c }}: how many parameters?",
    )


def test_the_pinned_variant_shows_the_lectures_numbers(db):
    preview = authoring.preview_problem(conv_params_problem(), None)
    assert preview.params == {"c": 3, "f": 5, "k": 10}
    assert preview.expected == 760
    assert "10 filters of 5x5x3" in preview.statement_html
    by_key = {m.key: m for m in preview.misconceptions}
    assert by_key["forgot-bias"].answer == 750
    assert by_key["forgot-bias"].diagnosed_as == "forgot-bias"
    assert by_key["forgot-bias"].title == "Forgot the bias"
    assert by_key["forgot-bias"].verdict == "incorrect"


def test_another_seed_gives_another_variant(db):
    problem = conv_params_problem()
    pinned = authoring.preview_problem(problem, None).params
    assert any(authoring.preview_problem(problem, seed).params != pinned for seed in range(1, 6))


def test_a_sound_problem_passes_the_self_check(db):
    check = soundness.self_check(conv_params_problem())
    assert check.sound, [c.message or c.name for c in check.checks]


def test_a_problem_whose_reference_answer_is_wrong_fails_the_self_check(db, monkeypatch):
    from tests.instructor import fakekind

    broken = factories.make_problem("broken", kind="tally", spec={"a": [1, 5], "b": [1, 5]})
    monkeypatch.setattr(
        fakekind.TallyKind, "expected", lambda self, spec, params: params["a"] + params["b"] + 1
    )
    check = soundness.self_check(broken)
    assert not check.sound
    assert check.checks[1].name.startswith("pinned: the expected answer 3 graded partial")


def test_a_misconception_the_grader_does_not_catch_fails_the_self_check(db, monkeypatch):
    from tests.instructor import fakekind

    problem = factories.make_problem("tally-x", kind="tally", spec={"a": [1, 5], "b": [1, 5]})
    monkeypatch.setattr(
        fakekind.TallyKind, "wrong_answers", lambda self, spec, params: {"forgot-a": params["b"]}
    )
    check = soundness.self_check(problem)
    assert not check.sound
    assert any("misconception forgot-a" in c.name for c in check.checks)


def test_a_kind_that_fails_is_reported_not_raised(db):
    problem = factories.make_problem("ghost", kind="number", spec={"recipe": "no-such"})
    preview = authoring.preview_problem(problem, 3)
    assert preview.error and "no-such" in preview.error


def test_the_preview_page_renders_a_seed_and_runs_the_check(
    client_for, instructor, db, eager_celery
):
    problem = conv_params_problem()
    client = client_for(instructor)
    page = client.get(f"/teach/problems/{problem.slug}/preview?seed=7").content.decode()
    assert "seed 7" in page and 'id="params"' in page and "forgot-bias" in page
    checked = client.get(f"/teach/problems/{problem.slug}/preview?check=1").content.decode()
    assert "The problem is sound." in checked


def test_a_bad_seed_falls_back_to_the_pinned_variant_and_says_why(client_for, instructor, db):
    problem = conv_params_problem()
    page = client_for(instructor).get(f"/teach/problems/{problem.slug}/preview?seed=-4")
    assert page.status_code == 200
    assert "greater than or equal to 0" in page.content.decode()
    assert "(pinned)" in page.content.decode()


def test_the_self_check_runs_on_a_worker_and_the_page_polls_for_its_result(
    client_for, instructor, db, monkeypatch
):
    """The page only queues the check (by task name: the web process never imports the task
    module); a worker's run stores the result, which the polled block then shows."""
    from celery import current_app

    from exercises.bank import tasks

    queued = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args, queue, **options: queued.append((name, args))
    )
    problem = conv_params_problem()
    client = client_for(instructor)
    page = client.get(f"/teach/problems/{problem.slug}/preview?check=1").content.decode()
    poll = f"/teach/problems/{problem.slug}/preview/check"
    assert 'id="selfcheck-pending"' in page and f'hx-get="{poll}"' in page
    assert "The problem is sound." not in page
    digest = authoring.spec_digest(problem)
    assert queued == [("exercises.tasks.self_check_problem", (problem.pk, digest))]
    still = client.get(poll).content.decode()
    assert 'id="selfcheck-pending"' in still and len(queued) == 1  # queued once, not per poll

    assert tasks.self_check_problem.apply(args=queued[0][1]).get() == "done"
    done = client.get(poll).content.decode()
    assert "The problem is sound." in done and "hx-get" not in done


def test_a_check_queued_before_an_edit_is_not_shown_for_the_new_spec(
    client_for, instructor, db, monkeypatch
):
    from celery import current_app

    from exercises.bank import tasks

    queued = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args, queue, **options: queued.append((name, args))
    )
    problem = conv_params_problem()
    client = client_for(instructor)
    client.get(f"/teach/problems/{problem.slug}/preview?check=1")
    problem.spec = {**problem.spec, "note": "edited in the admin"}
    problem.save()
    assert tasks.self_check_problem.apply(args=queued[0][1]).get() == "skipped"
    page = client.get(f"/teach/problems/{problem.slug}/preview/check").content.decode()
    assert 'id="selfcheck-pending"' in page
    assert [name for name, _ in queued] == ["exercises.tasks.self_check_problem"] * 2
