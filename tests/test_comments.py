"""Comments and docs speak of the repository only: a reader of a clone can follow every
reference. No documents that live elsewhere (a design note, the sandbox study, a performance
note), no issue or pitfall numbers of a tracker the clone does not carry, no absolute paths of
somebody's machine. Say the reason itself instead of citing where it was written down."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {
    ".git",
    ".venv",
    ".venv-bench",
    ".import_linter_cache",
    ".pytest_cache",
    "var",
    "test-artifacts",
    "node_modules",
    "vendor",
    "__pycache__",
}
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".yml", ".yaml", ".cfg", ".js", ".css"}
TEXT_NAMES = {"Makefile", "Dockerfile", "run"}

OUTSIDE = {
    "a design document outside the repository": re.compile(r"\bDESIGN\.md\b"),
    "the sandbox study outside docs/": re.compile(r"(?<![\w/])sandbox\.md\b"),
    "a notes folder outside the repository": re.compile(r"\bperformance\.md\b|\bnotes/\w"),
    "an issue number": re.compile(r"\b[Ii]ssues? #?\d+\b"),
    "a numbered pitfall, design or anti-pattern": re.compile(
        r"\b(?:[Pp]itfall|[Aa]nti-pattern|[Dd]esigns?) (?:[A-Z]?\d+|N)\b"
    ),
    "an absolute path of a machine": re.compile(r"(?<![\w.])/(?:work|home|Users|root)/\w"),
    "the shared folder beside the repository": re.compile(
        r"\.\./shared\b|\bshared/(?:notes|seeds)"
    ),
}


def _files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        if any(part in SKIP_DIRS for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES):
            found.append(path)
    return found


def references_outside(text: str) -> list[str]:
    """Each line of ``text`` that cites something outside the repository, with what it cites."""
    hits = []
    for number, line in enumerate(text.splitlines(), 1):
        for what, pattern in OUTSIDE.items():
            if pattern.search(line):
                hits.append(f"{number}: {what}: {line.strip()}")
    return hits


def test_the_check_catches_each_kind_of_reference():
    cited = [
        "see DESIGN.md",
        "(sandbox.md, pitfall 6)",
        "measured in notes/performance.md",
        "Targets (issue 4)",
        "the zygote's env (pitfall 1)",
        "sandbox.md design Z1",
        "can be forged (anti-pattern N)",
        "the slides in /work/shared/seeds/",
        "../shared/notes",
    ]
    for line in cited:
        assert references_outside(line), line
    fine = [
        "docs/sandbox.md, seccomp allowlist",
        "grader/sandbox/zygote.py forks one child",
        "a problem's tests.py, 2 issues found",
        "/tmp is mounted on top",
    ]
    for line in fine:
        assert not references_outside(line), line


def test_no_file_cites_anything_outside_the_repository():
    this = Path(__file__).resolve()
    problems = []
    for path in _files():
        if path.resolve() == this:
            continue
        for hit in references_outside(path.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{path.relative_to(ROOT)}:{hit}")
    assert not problems, "\n".join(problems)
