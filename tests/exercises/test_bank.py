"""The lecture's problem bank (``exercises/content/``): every problem imports, grades its own
answers, diagnoses its declared misconceptions with a hint, reproduces the lecture's numbers on
its pinned variant, serves the promised param names and renders its statement.

Code problems: the hidden checks (``tests.py``) are run here in-process against student-style
solutions (``tests/exercises/bank_solutions/``) to prove the cases themselves are right; the
same solutions go through the sandbox and the code kind in the tests marked ``sandbox``, which
also prove that the code kind names each known wrong solution's misconception.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from django.conf import settings

from exercises.bank.importer import ImportFailed, import_problems, parse_folder, problem_folders
from exercises.ops.demo import LECTURE_ORDER
from exercises.rendering import markdown_to_html
from grader import selfcheck
from grader.checks import ARRAY_MISCONCEPTIONS, compare_arrays, diagnose_array
from grader.kinds import get_kind, render_statement
from grader.results import Verdict

CONTENT = Path(settings.STRIDE["CONTENT_DIR"])
SOLUTIONS = Path(__file__).parent / "bank_solutions"

# The public promise: slug -> (kind, param names the API serves), in lecture order.
TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "dot-product-3x3": ("number", ("patch", "filter")),
    "dot-product-27": ("number", ("patch", "filter", "bias")),
    "conv-single-channel": ("matrix", ("x", "w", "stride")),
    "conv-three-channels": ("matrix", ("x", "w", "b")),
    "output-size-stride": ("number", ("n", "f", "stride")),
    "output-size-padding": ("number", ("n", "f", "stride", "pad")),
    "same-padding": ("number", ("f",)),
    "shrinking-volumes": ("number", ("n", "f", "layers")),
    "feature-map-volume": ("shape", ("n", "c", "f", "k")),
    "conv-layer-params": ("number", ("c", "f", "k")),
    "conv-layer-output-volume": ("shape", ("n", "c", "f", "k", "stride", "pad")),
    "max-pool": ("matrix", ("x", "size", "stride")),
    "avg-pool": ("matrix", ("x", "size", "stride")),
    "pool-output-size": ("number", ("n", "size", "stride")),
    "flatten-size": ("number", ("n", "c", "f", "k", "pool")),
    "fc-layer-params": ("number", ("inputs", "outputs")),
    "cnn-concepts": ("choice", ()),
    "implement-conv2d-single": ("code", ()),
    "implement-conv2d": ("code", ()),
    "implement-max-pool": ("code", ()),
    "implement-avg-pool": ("code", ()),
    "implement-cnn-forward": ("code", ()),
    # Beyond the slides: after the lecture's problems (by slug) in the demo assignment.
    "receptive-field-stacked": ("number", ("k", "n")),
}
# Array params' shapes (matrices as lists of lists, volumes (C, H, W)).
ARRAY_SHAPES = {
    ("dot-product-3x3", "patch"): (3, 3),
    ("dot-product-3x3", "filter"): (3, 3),
    ("dot-product-27", "patch"): (3, 3, 3),
    ("dot-product-27", "filter"): (3, 3, 3),
    ("conv-single-channel", "x"): (7, 7),
    ("conv-single-channel", "w"): (3, 3),
    ("conv-three-channels", "x"): (3, 7, 7),
    ("conv-three-channels", "w"): (3, 3, 3),
    ("max-pool", "x"): (4, 4),
    ("avg-pool", "x"): (4, 4),
}
# Generated once with uuid4; a problem keeps its uuid forever (submissions point at it).
UUIDS = {
    "dot-product-3x3": "833576af-ad28-4f5f-9557-4e8a2fead1f4",
    "dot-product-27": "3e1dfc70-1766-45ae-90d0-194f942f10fa",
    "conv-single-channel": "7ec50955-f210-4711-9d8a-7285e8a7beb7",
    "conv-three-channels": "555b6bd1-3017-41b9-8d92-f0c735565c12",
    "output-size-stride": "2dcce535-e86d-4a16-b5b5-ade730121081",
    "output-size-padding": "e339f0a3-e487-4403-bf6e-0db0cdcd6c02",
    "same-padding": "069e4450-df5d-490a-9059-3229b3010a2d",
    "shrinking-volumes": "b84fba10-b953-48f4-9b1c-aa4055ec4aa2",
    "feature-map-volume": "a3aca001-2edf-4c9e-820d-f380cd459e36",
    "conv-layer-params": "5fdacf4e-cc6f-4af9-893d-f83a3b17cae5",
    "conv-layer-output-volume": "0d961a51-10d2-499f-92f0-0703036502a9",
    "max-pool": "2820a8cc-c19d-4db3-abc4-70395085c0d3",
    "avg-pool": "bb462f8e-fed2-4c06-ad49-749b52cf8953",
    "pool-output-size": "cc1ad6e5-fa67-47a9-b5f0-285e13cfc4fc",
    "flatten-size": "7bbdf987-ea25-4660-952a-e5684b18cd43",
    "fc-layer-params": "24604732-08b0-40b4-b143-f61b9a01aba8",
    "cnn-concepts": "2036f19e-73c6-4bd6-94c5-1c0ac6dd541b",
    "implement-conv2d-single": "6d9a934e-d9b9-43cc-9c3d-7d34f3bf0498",
    "implement-conv2d": "e8b10c1f-08b1-41e8-8ade-31c293277185",
    "implement-max-pool": "42e2de01-5e5a-47ef-994d-323dcb01dc26",
    "implement-avg-pool": "824ce27f-c347-4cf9-91d8-3e00e4a831dc",
    "implement-cnn-forward": "86ce4140-621a-452c-aec0-3d73fe5a268c",
    "receptive-field-stacked": "3c7a433e-4ef2-467b-8353-b42af45dac05",
}

# The lecture's own answers (the slides, Unit 03 and 04), for the pinned variants.
LECTURE_MAP = [[6, 9, 7, 6, 6], [9, 7, 7, 6, 5], [6, 5, 2, 3, 3], [5, 4, 4, 6, 9], [5, 6, 6, 8, 4]]
LECTURE_SUM = [
    [8, 13, 9, 8, 7],
    [12, 10, 10, 9, 7],
    [8, 9, 3, 4, 6],
    [8, 6, 6, 6, 11],
    [7, 6, 11, 10, 6],
]
LECTURE_ANSWERS: dict[str, Any] = {
    "dot-product-3x3": 6,  # the first cell of the 5x5 map
    "dot-product-27": 8,  # the first cell of the summed map
    "conv-single-channel": LECTURE_MAP,
    "conv-three-channels": LECTURE_SUM,
    "output-size-stride": "does-not-fit",  # N=7, F=3, stride 3: 2.33, "doesn't fit!"
    "output-size-padding": 7,  # 7x7 padded by 1 stays 7x7
    "same-padding": 1,  # F = 3 at stride 1
    "shrinking-volumes": 24,  # 32 -> 28 -> 24
    "feature-map-volume": [28, 28, 6],  # six 5x5x3 filters on 32x32x3
    "conv-layer-params": 760,  # (5*5*3 + 1) * 10
    "conv-layer-output-volume": [32, 32, 10],  # 32x32x3, 10 5x5 filters, stride 1, pad 2
    "max-pool": [[6, 8], [3, 4]],
    "avg-pool": [[3.25, 5.25], [2, 2]],
    "pool-output-size": 112,  # 224 halved by 2x2 windows at stride 2
    "flatten-size": 1176,  # 32 -> 28 (x6) -> 14 -> 14*14*6
    "fc-layer-params": 11770,  # 1176 * 10 + 10
}
LECTURE_PINNED_PARAMS = {
    "output-size-stride": {"n": 7, "f": 3, "stride": 3},
    "output-size-padding": {"n": 7, "f": 3, "stride": 1, "pad": 1},
    "conv-layer-params": {"c": 3, "f": 5, "k": 10},
    "conv-layer-output-volume": {"n": 32, "c": 3, "f": 5, "k": 10, "stride": 1, "pad": 2},
    "shrinking-volumes": {"n": 32, "f": 5, "layers": 2},
}

CODE = [slug for slug, (kind, _) in TABLE.items() if kind == "code"]
QUICK = [slug for slug, (kind, _) in TABLE.items() if kind != "code"]
# Solutions: (file, entry) right, and wrong ones with the misconception they must be diagnosed as.
RIGHT = {
    "implement-conv2d-single": "conv2d_single.py",
    "implement-conv2d": "conv2d.py",
    "implement-max-pool": "max_pool2d.py",
    "implement-avg-pool": "avg_pool2d.py",
    "implement-cnn-forward": "cnn_forward.py",
}
WRONG = [
    ("implement-conv2d-single", "conv2d_single_flipped.py", "flipped-kernel"),
    ("implement-conv2d", "conv2d_flipped.py", "flipped-kernel"),
    ("implement-conv2d", "conv2d_no_bias.py", "missing-bias"),
    ("implement-max-pool", "max_pool2d_average.py", "avg-instead-of-max"),
    ("implement-avg-pool", "avg_pool2d_max.py", "max-instead-of-avg"),
    ("implement-cnn-forward", "cnn_forward_no_relu.py", "forgot-relu"),
    ("implement-cnn-forward", "cnn_forward_nhwc.py", "flatten-order"),
]
# Cost model of a naive solution, measured once: 0.26 us per multiply-add in scalar
# loops, ~3 us per output element for a loop with np.sum over the window.
NAIVE_SECONDS_PER_MAC = 0.26e-6
NAIVE_SECONDS_PER_OUTPUT = 3e-6


def folder(slug: str) -> Path:
    return CONTENT / slug


def spec_of(slug: str) -> dict[str, Any]:
    """The spec exactly as the importer builds it (problem.yaml plus the code files)."""
    errors: list[str] = []
    parsed = parse_folder(folder(slug), errors)
    assert not errors, errors
    assert parsed is not None
    return parsed.fields["spec"]


def raw_yaml(slug: str) -> dict[str, Any]:
    return yaml.safe_load((folder(slug) / "problem.yaml").read_text(encoding="utf-8"))


def load_tests(slug: str) -> dict[str, Any]:
    """Execute a code problem's hidden ``tests.py`` as the worker would (trusted code)."""
    path = folder(slug) / "tests.py"
    namespace: dict[str, Any] = {"__name__": f"bank_tests_{slug.replace('-', '_')}"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


def code_cases(slug: str, seed: int) -> list[dict[str, Any]]:
    """One variant's cases as the code kind reads them (named by their English), each with its
    ``expected`` output and the ``variants`` of known wrong implementations (both computed
    here, never sandboxed)."""
    tests = load_tests(slug)
    out = []
    for case in tests["cases"](np.random.default_rng(seed)):
        args, kwargs = case["args"], case.get("kwargs", {})
        out.append(
            {
                **case,
                # a name per language is keyed by its English, as the code kind keys it
                "name": case["name"]["en"] if isinstance(case["name"], dict) else case["name"],
                "hidden": case.get("hidden", True),
                "kwargs": kwargs,
                "expected": tests["reference"](*args, **kwargs),
                "variants": tests["variants"](*args, **kwargs),
            }
        )
    return out


def run_solution(slug: str, source: str, seed: int = 0) -> list[tuple[dict[str, Any], Any]]:
    """Call the solution's entry on every case, in-process (no sandbox: our own code)."""
    module: dict[str, Any] = {"__name__": "submission"}
    exec(compile(source, "submission.py", "exec"), module)
    entry = module[raw_yaml(slug)["entry"]]
    results = []
    for case in code_cases(slug, seed):
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in case["args"]]
        results.append((case, entry(*args, **case["kwargs"])))
    return results


# --- the bank as a whole --------------------------------------------------------------------


def test_the_bank_holds_exactly_the_promised_slugs():
    folders = sorted(p.name for p in CONTENT.iterdir() if p.is_dir() and p.name[0] != "_")
    assert folders == sorted(TABLE)
    for slug in TABLE:
        assert (folder(slug) / "statement.md").is_file(), slug


def test_the_demo_assignment_lists_the_bank_in_lecture_order():
    assert list(TABLE)[: len(LECTURE_ORDER)] == LECTURE_ORDER


def test_every_problem_keeps_its_fixed_uuid_and_declares_its_kind():
    for slug in TABLE:
        data = raw_yaml(slug)
        assert str(uuid.UUID(str(data["uuid"]))) == UUIDS[slug], slug
        assert data["kind"] == TABLE[slug][0], slug
        assert data.get("title"), slug
        assert isinstance(data.get("points"), int) and data["points"] > 0, slug
        assert data.get("tags"), slug


def test_every_problem_has_a_problem_yaml():
    assert sorted(p.name for p in problem_folders(CONTENT)) == sorted(TABLE)
    for slug in CODE:
        for name in ("starter.py", "tests.py"):
            assert (folder(slug) / name).is_file(), (slug, name)


@pytest.mark.django_db
def test_the_whole_bank_imports_and_reimports_unchanged():
    report = import_problems(CONTENT)
    assert sorted(report.created) == sorted(TABLE)
    again = import_problems(CONTENT)
    assert again.created == [] and again.updated == []
    assert sorted(again.unchanged) == sorted(TABLE)


@pytest.mark.django_db
def test_the_import_command_loads_the_bank(capsys):
    from django.core.management import call_command

    call_command("import_problems")
    out, err = capsys.readouterr()
    assert f"created {len(TABLE)}" in out and err == ""


@pytest.mark.django_db
def test_the_demo_cnn_basics_assignment_holds_the_bank_in_lecture_order():
    from exercises.models import AssignmentProblem
    from exercises.ops.demo import setup_demo

    import_problems(CONTENT)
    setup_demo()
    items = AssignmentProblem.objects.filter(assignment__slug="cnn-basics").order_by("order")
    assert [item.problem.slug for item in items] == list(TABLE)


def test_an_unknown_kind_is_an_error_with_its_file_and_line(tmp_path):
    """No kind is skipped as "not installed": a kind the registry lacks is an author's error."""
    bad = tmp_path / "bad-kind"
    bad.mkdir()
    (bad / "problem.yaml").write_text(
        f"uuid: {uuid.uuid4()}\ntitle: A problem\nkind: kode\n", encoding="utf-8"
    )
    (bad / "statement.md").write_text("Do it.\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        import_problems(tmp_path)
    [line] = err.value.errors
    assert line.startswith(f"{bad / 'problem.yaml'}:3: kind: unknown kind 'kode'")


# --- quick kinds: self-check, misconceptions, lecture numbers, params ---------------------


@pytest.mark.parametrize("slug", QUICK)
def test_it_grades_its_own_answer_and_every_misconception_over_50_variants(slug):
    spec = spec_of(slug)
    assert selfcheck.check_problem(spec, seeds=range(50)) == []


@pytest.mark.parametrize("slug", QUICK)
def test_each_declared_misconception_comes_back_incorrect_with_a_hint(slug):
    spec = spec_of(slug)
    kind = get_kind(spec["kind"])
    seen: set[str] = set()
    for seed in [None, *range(50)]:
        params = kind.generate(spec, seed)
        for key, wrong in kind.wrong_answers(spec, params).items():
            grade = kind.grade(spec, params, json.loads(json.dumps(wrong)))
            assert grade.verdict in (Verdict.INCORRECT, Verdict.PARTIAL), (slug, seed, key)
            if key == "missing-one":  # a multiple-choice answer with a right option left out
                seen.add(key)
                continue
            hint = grade.feedback.get("misconception", {})
            assert hint.get("explanation"), (slug, seed, key, grade.feedback)
            seen.add(key)
    declared = raw_yaml(slug).get("misconceptions")
    if isinstance(declared, list):
        # every misconception the problem declares shows up in at least one of the 51 variants
        assert set(declared) <= seen, set(declared) - seen
    if spec["kind"] == "choice":
        wrong_options = {f"option:{o['key']}" for o in spec["options"]} - {
            f"option:{k}" for k in spec["correct"]
        }
        assert wrong_options <= seen


@pytest.mark.parametrize("slug", sorted(LECTURE_ANSWERS))
def test_the_pinned_variant_reproduces_the_lecture(slug):
    spec = spec_of(slug)
    kind = get_kind(spec["kind"])
    params = kind.generate(spec, None)
    assert kind.expected(spec, params) == LECTURE_ANSWERS[slug]
    for name, value in LECTURE_PINNED_PARAMS.get(slug, {}).items():
        assert params[name] == value
    grade = kind.grade(spec, params, LECTURE_ANSWERS[slug])
    assert grade.verdict == Verdict.CORRECT


def test_the_pinned_arrays_are_the_lectures_own():
    from grader import lecture

    single = get_kind("matrix").generate(spec_of("conv-single-channel"), None)
    assert np.array_equal(single["x"], lecture.LECTURE_INPUT_7x7)
    assert np.array_equal(single["w"], lecture.LECTURE_FILTER_3x3)
    three = get_kind("matrix").generate(spec_of("conv-three-channels"), None)
    assert np.array_equal(three["x"], lecture.LECTURE_CHANNELS_3x7x7)
    assert np.array_equal(three["w"], lecture.LECTURE_FILTERS_3x3x3)
    patch = get_kind("number").generate(spec_of("dot-product-27"), None)["patch"]
    assert np.array_equal(patch, lecture.LECTURE_CHANNELS_3x7x7[:, :3, :3])


@pytest.mark.parametrize("slug", QUICK)
def test_it_serves_exactly_the_promised_param_names(slug):
    spec = spec_of(slug)
    kind = get_kind(spec["kind"])
    promised = TABLE[slug][1]
    for seed in [None, 0, 1, 2, 7, 49]:
        params = kind.generate(spec, seed)
        if spec["kind"] == "choice":
            assert set(params) == {"order"}  # only the order the options are shown in
            continue
        assert tuple(params) == promised
        for name in promised:
            shape = ARRAY_SHAPES.get((slug, name))
            if shape is None:
                assert isinstance(params[name], int) and not isinstance(params[name], bool)
            else:
                assert np.shape(params[name]) == shape
                assert isinstance(params[name], list)  # lists of lists, JSON-ready


def test_output_size_problems_serve_both_fitting_and_not_fitting_variants():
    for slug in ("output-size-stride", "output-size-padding"):
        spec = spec_of(slug)
        kind = get_kind("number")
        answers = [kind.expected(spec, kind.generate(spec, seed)) for seed in range(50)]
        assert "does-not-fit" in answers, slug
        assert any(isinstance(a, int) for a in answers), slug


# --- statements ----------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)")


@pytest.mark.parametrize("slug", sorted(TABLE))
def test_the_statement_renders_with_every_placeholder_known(slug):
    statement = (folder(slug) / "statement.md").read_text(encoding="utf-8")
    names = set(PLACEHOLDER.findall(statement))
    assert names <= set(TABLE[slug][1]), names - set(TABLE[slug][1])
    spec = spec_of(slug)
    kind = get_kind(spec["kind"])
    for seed in [None, 0, 1, 2]:
        text = render_statement(statement, kind.generate(spec, seed))
        assert "{{" not in text
        html = markdown_to_html(text)
        assert "What to submit" in html or TABLE[slug][0] == "code"


@pytest.mark.parametrize("slug", sorted(TABLE))
def test_the_statement_says_what_to_submit(slug):
    statement = (folder(slug) / "statement.md").read_text(encoding="utf-8")
    if TABLE[slug][0] == "code":
        assert "def " in statement  # the signature
        if "conv" in slug:
            assert "cross-correlation" in statement and "flip" in statement
        assert "NCHW" in statement or slug == "implement-conv2d-single"
    else:
        assert "## What to submit" in statement
    # Said as the student's page asks for it: the box, the grid, the fields (the JSON API's
    # shapes are in each problem's answer_format, not in what students read).
    assert "JSON API" not in statement
    if slug.startswith("output-size"):
        assert "tick **It does not fit**" in statement.replace("\n", " ")
        assert "does-not-fit" not in statement  # the form has a box, not a word to type
        korean = (folder(slug) / "statement.ko.md").read_text(encoding="utf-8")
        assert "**맞지 않음**에 표시" in korean.replace("\n", " ")  # the box's Korean label
        assert "does-not-fit" not in korean
    if TABLE[slug][0] == "shape":
        assert "height, width and depth" in statement


def test_the_does_not_fit_box_is_labelled_as_the_statements_say():
    inputs = Path(settings.BASE_DIR, "exercises/templates/exercises/_answer_inputs.html")
    assert "It does not fit: no whole-number output size" in inputs.read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", sorted(TABLE))
def test_figures_are_accessible_and_self_contained(slug):
    statement = (folder(slug) / "statement.md").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg\b.*?</svg>", statement, flags=re.DOTALL)
    for svg in svgs:
        assert 'role="img"' in svg and "aria-label=" in svg and "<title>" in svg
        assert "href" not in svg and "url(" not in svg and "<script" not in svg
    # a raw HTML block ends at a blank line: a figure must not contain one
    for figure in re.findall(r"<figure>.*?</figure>", statement, flags=re.DOTALL):
        assert "\n\n" not in figure
    if svgs:  # the page's sanitiser keeps the drawing, not just its text
        html = markdown_to_html(statement.replace("{{", "").replace("}}", ""))
        assert html.count("<svg") == len(svgs)
        assert 'role="img"' in html and "viewBox=" in html and "<rect" in html


# --- code problems: the hidden checks themselves --------------------------------------------

CODE_SEEDS = range(50)
CASE_KEYS = {"name", "args", "kwargs", "points", "hidden"}


@pytest.mark.parametrize("slug", CODE)
def test_the_hidden_checks_are_well_formed_over_50_variants(slug):
    tests = load_tests(slug)
    for key, (title, hint) in tests["MISCONCEPTIONS"].items():
        assert title and hint, key
    first = None
    for seed in CODE_SEEDS:
        raw = tests["cases"](np.random.default_rng(seed))
        assert all(set(case) <= CASE_KEYS for case in raw)
        cases = code_cases(slug, seed)
        names = [c["name"] for c in cases]
        assert len(names) == len(set(names))
        visible = [c for c in cases if not c["hidden"]]
        hidden = [c for c in cases if c["hidden"]]
        assert len(visible) == 1 and "lecture" in visible[0]["name"]
        assert len(hidden) >= 3
        for case in cases:
            assert np.all(np.isfinite(case["expected"]))
            assert set(case["variants"]) <= set(tests["MISCONCEPTIONS"])
        if first is None:
            first = cases
    # the variants differ (hidden data is drawn from the seed); the lecture case does not
    again = code_cases(slug, 1)
    assert np.array_equal(first[0]["expected"], again[0]["expected"])
    assert not all(
        np.array_equal(a["expected"], b["expected"]) for a, b in zip(first, again, strict=True)
    )
    starter = (folder(slug) / "starter.py").read_text(encoding="utf-8")
    assert f"def {raw_yaml(slug)['entry']}(" in starter


def test_the_visible_cases_are_the_lectures_numbers():
    from grader import lecture

    single = code_cases("implement-conv2d-single", 0)[0]
    assert np.array_equal(single["expected"], lecture.LECTURE_MAP_5x5)
    conv = code_cases("implement-conv2d", 0)[0]
    assert np.array_equal(conv["expected"][0, 0], lecture.LECTURE_SUM_5x5)
    assert code_cases("implement-max-pool", 0)[0]["expected"].tolist() == [[[[6, 8], [3, 4]]]]
    assert code_cases("implement-avg-pool", 0)[0]["expected"].tolist() == [[[[3.25, 5.25], [2, 2]]]]


@pytest.mark.parametrize("slug", CODE)
def test_the_cases_cover_batches_channels_strides_and_odd_shapes(slug):
    cases = code_cases(slug, 0)
    arrays = [np.asarray(c["args"][0]) for c in cases]
    if slug == "implement-conv2d-single":
        assert any(a.shape[0] != a.shape[1] for a in arrays)
        assert any(c["args"][1].shape[0] != c["args"][1].shape[1] for c in cases)
        return
    assert any(a.shape[0] > 1 for a in arrays), "batch > 1"
    assert any(a.shape[1] > 1 for a in arrays), "channels > 1"
    assert any(a.shape[2] != a.shape[3] for a in arrays), "non-square input"
    if slug == "implement-conv2d":
        assert any(c["kwargs"]["stride"] == 2 for c in cases)
        assert any(c["kwargs"]["pad"] > 0 for c in cases)
    if slug in ("implement-max-pool", "implement-avg-pool"):
        assert any(c["kwargs"].get("stride", 2) < c["kwargs"].get("size", 2) for c in cases)
        assert any(c["kwargs"] == {} for c in cases), "the defaults are tested"
    if slug == "implement-cnn-forward":
        assert any(c["args"][1]["stride"] == 2 for c in cases)
        assert any(c["args"][1]["pad"] > 0 for c in cases)


def _cost(slug: str, case: dict[str, Any]) -> tuple[int, int]:
    """(multiply-adds, output elements) a naive solution spends on one case."""
    expected = case["expected"]
    if slug == "implement-conv2d-single":
        return expected.size * case["args"][1].size, expected.size
    if slug == "implement-conv2d":
        return expected.size * case["args"][1][0].size, expected.size
    if slug in ("implement-max-pool", "implement-avg-pool"):
        size = case["kwargs"].get("size", 2)
        return expected.size * size * size, expected.size
    x, p = case["args"]
    maps = x.shape[0] * p["w1"].shape[0]
    for axis in (2, 3):
        maps *= (x.shape[axis] + 2 * p["pad"] - p["w1"].shape[axis]) // p["stride"] + 1
    return maps * p["w1"][0].size + x.shape[0] * p["w2"].size, maps + expected.size


@pytest.mark.parametrize("slug", CODE)
def test_a_naive_solution_runs_the_whole_suite_well_under_a_second(slug):
    """A cost model, not a timing: the measured per-MAC and per-output costs of
    naive loops, summed over the suite, stay below a quarter of a second."""
    for seed in (0, 1, 2):
        costs = [_cost(slug, c) for c in code_cases(slug, seed)]
        macs, outputs = (sum(c[i] for c in costs) for i in (0, 1))
        seconds = macs * NAIVE_SECONDS_PER_MAC + outputs * NAIVE_SECONDS_PER_OUTPUT
        assert seconds < 0.25, (slug, macs, outputs, seconds)


@pytest.mark.parametrize("slug", CODE)
def test_a_right_naive_solution_passes_every_case_of_every_variant(slug):
    source = (SOLUTIONS / RIGHT[slug]).read_text(encoding="utf-8")
    tol = raw_yaml(slug)["tolerance"]
    for seed in range(10):
        for case, got in run_solution(slug, source, seed):
            check = compare_arrays(got, case["expected"], rtol=tol["rel"], atol=tol["abs"])
            assert check.ok, (seed, case["name"], check.message)


@pytest.mark.parametrize("slug", CODE)
def test_a_float32_solution_passes_every_case(slug):
    source = (SOLUTIONS / RIGHT[slug]).read_text(encoding="utf-8")
    tol = raw_yaml(slug)["tolerance"]
    for case, got in run_solution(slug, source.replace("np.float64", "np.float32"), 3):
        assert got.dtype == np.float32 or slug == "implement-cnn-forward"  # w2 upcasts
        check = compare_arrays(got, case["expected"], rtol=tol["rel"], atol=tol["abs"])
        assert check.ok, case["name"]


@pytest.mark.parametrize(("slug", "solution", "key"), WRONG)
def test_a_known_wrong_solution_fails_with_its_diagnosis(slug, solution, key):
    tests = load_tests(slug)
    source = (SOLUTIONS / solution).read_text(encoding="utf-8")
    for seed in range(5):
        failed = diagnosed = 0
        for case, got in run_solution(slug, source, seed):
            if compare_arrays(got, case["expected"]).ok:
                continue
            failed += 1
            found = diagnose_array(got, case["variants"], expected=case["expected"])
            diagnosed += found == key
        assert failed >= 2, f"{solution} passes too many cases"
        assert diagnosed == failed, f"{solution}: {diagnosed} of {failed} diagnosed as {key}"
    declared = tests["MISCONCEPTIONS"][key]
    assert declared[1] if isinstance(declared, tuple) else declared["explanation"]["ko"]


@pytest.mark.parametrize("slug", CODE)
def test_the_unchanged_starter_does_not_pass(slug):
    source = (folder(slug) / "starter.py").read_text(encoding="utf-8")
    try:
        results = run_solution(slug, source)
    except NotImplementedError:
        return
    assert not any(compare_arrays(got, case["expected"]).ok for case, got in results)


def test_code_misconception_hints_match_the_shared_ones():
    for slug in ("implement-conv2d-single", "implement-conv2d", "implement-max-pool"):
        for key, text in load_tests(slug)["MISCONCEPTIONS"].items():
            assert text == ARRAY_MISCONCEPTIONS[key]


def test_code_problems_declare_every_misconception_their_tests_detect():
    for slug in CODE:
        declared = raw_yaml(slug)["misconceptions"]
        assert declared == list(load_tests(slug)["MISCONCEPTIONS"]), slug


def test_code_problems_declare_entry_signature_tolerance_and_limits():
    for slug in CODE:
        data = raw_yaml(slug)
        assert data["signature"].startswith(f"def {data['entry']}(")
        assert f"def {data['entry']}(" in (folder(slug) / "statement.md").read_text(
            encoding="utf-8"
        )
        assert set(data["tolerance"]) == {"abs", "rel"}
        assert data["limits"]["cpu_seconds"] <= 2


# --- code problems through the sandbox and the code kind ------------------------------------


@pytest.mark.sandbox
@pytest.mark.parametrize("slug", CODE)
def test_the_sandbox_grades_a_right_solution_correct(slug):
    spec = spec_of(slug)
    kind = get_kind("code")
    params = kind.generate(spec, None)
    source = (SOLUTIONS / RIGHT[slug]).read_text(encoding="utf-8")
    grade = kind.grade(spec, params, source)
    assert grade.verdict == Verdict.CORRECT, grade.to_dict()
    hidden = [t for t in grade.tests if t.hidden]
    assert hidden and all(t.passed for t in grade.tests)
    # A hidden test never shows its data: a passed one carries only the texts of its name.
    assert all(t.data == {"texts": {"name": t.data["texts"]["name"]}} for t in hidden)


@pytest.mark.sandbox
@pytest.mark.parametrize(("slug", "solution", "key"), WRONG)
def test_the_sandbox_fails_a_known_wrong_solution(slug, solution, key):
    spec = spec_of(slug)
    kind = get_kind("code")
    params = kind.generate(spec, None)
    grade = kind.grade(spec, params, (SOLUTIONS / solution).read_text(encoding="utf-8"))
    assert grade.verdict in (Verdict.INCORRECT, Verdict.PARTIAL), grade.to_dict()
    assert any(not t.passed for t in grade.tests if t.hidden)


@pytest.mark.sandbox
@pytest.mark.parametrize(("slug", "solution", "key"), WRONG)
def test_the_sandbox_names_the_misconception_of_a_known_wrong_solution(slug, solution, key):
    spec = spec_of(slug)
    kind = get_kind("code")
    params = kind.generate(spec, None)
    grade = kind.grade(spec, params, (SOLUTIONS / solution).read_text(encoding="utf-8"))
    hint = grade.feedback["misconception"]
    declared = load_tests(slug)["MISCONCEPTIONS"][key]  # (title, explanation) or per language
    explanation = declared[1] if isinstance(declared, tuple) else declared["explanation"]["en"]
    assert hint["key"] == key and hint["explanation"] == explanation
    assert hint["title"] in grade.message and "partial" not in hint and "also" not in grade.feedback
    failed = [t for t in grade.tests if not t.passed]
    assert failed and hint["tests"] == [t.name for t in failed]
    for test in failed:
        assert test.data["misconception"] == key and hint["title"] in test.message
        if test.hidden:  # the mistake is named; the case's numbers are not (only a digest)
            # and the text of its message (a key and the mistake's title), for its language
            assert test.data.keys() == {"misconception", "output_digest", "texts"}
            assert test.data["misconception"] == key
            assert test.message == f"Matches a known mistake: {hint['title']}"
    json.dumps(grade.to_dict())


def test_the_convolution_figure_speaks_of_the_students_stride():
    spec = spec_of("conv-single-channel")
    kind = get_kind("matrix")
    statement = (folder("conv-single-channel") / "statement.md").read_text(encoding="utf-8")
    seed = next(s for s in range(500) if kind.generate(spec, s)["stride"] == 2)
    html = markdown_to_html(render_statement(statement, kind.generate(spec, seed)))
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, flags=re.DOTALL).group(1)
    assert "your stride is 2" in caption
    assert "feature map 5 x 5" not in html  # the lecture's map is labelled as stride 1's
