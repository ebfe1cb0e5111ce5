"""Load problem folders (``exercises/content/<slug>/``) into the database.

A folder holds ``problem.yaml``, ``statement.md`` (English), optionally ``statement.<code>.md``
per other language (``exercises.bank.statements``) and, for code problems, ``starter.py`` and
``tests.py`` (hidden checks, run by the grader, never served). The import validates every folder
first and reports every error with its file and line; then it writes all of them in one
transaction, matched by uuid so that a re-import updates in place (a renamed folder keeps its
submissions).
"""

from __future__ import annotations

import hashlib
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from exercises import languages
from exercises.bank import statements
from exercises.bank.hints import Hint, read_hints
from exercises.models import Problem, ProblemText
from grader.kinds import SpecError, get_kind

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED = ("uuid", "title", "kind")
TESTS_LINE = re.compile(r"tests\.py line (\d+)")


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ParsedProblem:
    folder: Path
    slug: str
    uuid: uuidlib.UUID
    fields: dict[str, Any]
    content_hash: str
    texts: list[statements.Text] = field(default_factory=list)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _line_of(text: str, path: str) -> int | None:
    """The 1-based line of a dotted key path (``generator.n``) in a YAML document."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in [p for p in path.split(".") if p]:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            key = next(k for k, v in node.value if v is match)
            line, node = key.start_mark.line + 1, match
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            break
    return line


def validate_problem(kind_name: str, spec: dict[str, Any], hints: Any) -> list[Hint]:
    """The checks every stored problem passes, whether it comes from a folder or an edit in the
    admin: its kind accepts the spec, and its hints are well formed and wait only for
    misconceptions that kind can diagnose. Returns the hints, normalised; raises SpecError
    (``path``: where in the spec, ``hints[...]`` for a hint, ``kind`` for the kind)."""
    kind = get_kind(kind_name)
    kind.validate_spec(spec)
    return read_hints(hints, kind.diagnosable(spec))


def problem_folders(root: Path) -> list[Path]:
    """``root`` itself if it is a problem folder, else its problem subfolders."""
    if (root / "problem.yaml").is_file():
        return [root]
    return sorted(p.parent for p in root.glob("*/problem.yaml"))


def parse_folder(folder: Path, errors: list[str]) -> ParsedProblem | None:
    """One folder's problem, validated by its kind; every error (with file:line) goes to
    ``errors`` and the folder reads as None, so that the caller reports them all at once."""
    yaml_path = folder / "problem.yaml"
    where = f"{yaml_path}"
    try:
        text = yaml_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(f"{where}: cannot read: {exc}")
        return None
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        errors.append(f"{where}{line}: not valid YAML: {getattr(exc, 'problem', exc)}")
        return None
    if not isinstance(spec, dict):
        errors.append(f"{where}:1: the file must be a mapping of keys to values")
        return None
    before = len(errors)
    for key in REQUIRED:
        if key not in spec:
            errors.append(f"{where}:1: missing required key '{key}'")
    slug = str(spec.get("slug", folder.name))
    if not SLUG.match(slug):
        errors.append(
            f"{where}:{_line_of(text, 'slug') or 1}: slug {slug!r} must be lowercase "
            "words joined by hyphens"
        )
    try:
        problem_uuid = uuidlib.UUID(str(spec.get("uuid")))
    except ValueError:
        errors.append(
            f"{where}:{_line_of(text, 'uuid') or 1}: uuid {spec.get('uuid')!r} is not a UUID"
        )
        problem_uuid = None
    points = spec.get("points", 1)
    if not isinstance(points, int) or isinstance(points, bool) or points < 0:
        errors.append(
            f"{where}:{_line_of(text, 'points') or 1}: points must be a whole number >= 0"
        )
    texts = statements.read_texts(folder, spec, lambda key: _line_of(text, key), errors)
    extra: dict[str, str] = {}
    if spec.get("kind") == "code":
        for name, key in (("starter.py", "starter"), ("tests.py", "tests_source")):
            path = folder / name
            try:
                extra[key] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(f"{path}: a code problem needs this file: {exc}")
    if len(errors) > before:
        return None
    # Hints are the page's, not the grader's: kept out of the spec the kinds read, checked
    # against the misconceptions the kind diagnoses, stored on their own (Problem.hints).
    full_spec = {k: v for k, v in {**spec, **extra}.items() if k != "hints"}
    try:
        problem_hints = validate_problem(spec["kind"], full_spec, spec.get("hints"))
    except SpecError as exc:
        path = getattr(exc, "path", "") or ""
        if path.startswith("tests_source"):
            # The culprit is tests.py, not problem.yaml: point there (at its line when known).
            found = TESTS_LINE.search(str(exc))
            at = f":{found.group(1)}" if found else ""
            errors.append(f"{folder / 'tests.py'}{at}: {exc}")
            return None
        line = _line_of(text, path.replace("[", ".").replace("]", "")) or 1
        errors.append(f"{where}:{line}: {exc}")
        return None
    english = next(t for t in texts if t.language == languages.fallback())
    parts = [text, english.statement, extra.get("starter", ""), extra.get("tests_source", "")]
    for t in texts:  # every translation counts too: a corrected one is a changed problem
        if t is not english:
            parts += [t.path.name, t.statement]
    digest = hashlib.sha256()  # problem.yaml's text, hints: included
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return ParsedProblem(
        folder=folder,
        slug=slug,
        uuid=problem_uuid,
        content_hash=digest.hexdigest(),
        texts=texts,
        fields={
            "slug": slug,
            "kind": str(spec["kind"]),
            "title": english.title,
            "statement": english.statement,
            "points": points,
            "tags": list(spec.get("tags") or []),
            "spec": full_spec,
            "limits": dict(spec.get("limits") or {}),
            "starter_code": extra.get("starter", ""),
            "hints": [h.to_json() for h in problem_hints],
            "source_path": str(folder),
        },
    )


def import_problems(root: Path | str) -> ImportReport:
    """Validate every folder under ``root``, then import all or nothing."""
    root = Path(root)
    if not root.exists():
        raise ImportFailed([f"{root}: no such file or folder"])
    folders = problem_folders(root)
    if not folders:
        if root.is_dir():
            return ImportReport()  # an empty bank imports nothing, and says so
        raise ImportFailed([f"{root}: not a problem folder (no problem.yaml)"])
    errors: list[str] = []
    parsed = [p for p in (parse_folder(f, errors) for f in folders) if p is not None]
    seen_uuid: dict[uuidlib.UUID, Path] = {}
    seen_slug: dict[str, Path] = {}
    for p in parsed:
        if p.uuid in seen_uuid:
            errors.append(
                f"{p.folder}/problem.yaml: uuid {p.uuid} is also used by {seen_uuid[p.uuid]}"
            )
        if p.slug in seen_slug:
            errors.append(
                f"{p.folder}/problem.yaml: slug {p.slug!r} is also used by {seen_slug[p.slug]}"
            )
        seen_uuid[p.uuid], seen_slug[p.slug] = p.folder, p.folder
    if errors:
        raise ImportFailed(errors)
    report = ImportReport()
    with transaction.atomic():
        for p in parsed:
            clash = Problem.objects.filter(slug=p.slug).exclude(uuid=p.uuid).first()
            if clash is not None:
                raise ImportFailed(
                    [
                        f"{p.folder}/problem.yaml: slug {p.slug!r} belongs to another "
                        f"problem (uuid {clash.uuid}) already in the database"
                    ]
                )
            existing = Problem.objects.filter(uuid=p.uuid).first()
            if existing is None:
                problem = Problem.objects.create(
                    uuid=p.uuid, content_hash=p.content_hash, **p.fields
                )
                report.created.append(p.slug)
            elif existing.content_hash == p.content_hash and not existing.changed_since_import:
                report.unchanged.append(p.slug)
                continue
            else:
                for name, value in p.fields.items():
                    setattr(existing, name, value)
                existing.content_hash = p.content_hash
                existing.changed_since_import = False
                existing.save()
                problem = existing
                report.updated.append(p.slug)
            _write_texts(problem, p.texts)
    return report


def _write_texts(problem: Problem, texts: list[statements.Text]) -> None:
    """One ``ProblemText`` row per language the folder has; a removed translation goes."""
    for t in texts:
        ProblemText.objects.update_or_create(
            problem=problem,
            language=t.language,
            defaults={"title": t.title, "statement": t.statement},
        )
    problem.texts.exclude(language__in=[t.language for t in texts]).delete()
