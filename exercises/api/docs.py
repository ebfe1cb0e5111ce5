"""The human API docs: a page drawn on the server from the OpenAPI schema (so it reads without
JavaScript and never drifts from ``/api/v1/schema``), a "submit from a notebook" example, and
Swagger UI served from drf-spectacular-sidecar's static files for trying calls.

The views write their summaries and descriptions with ``gettext_lazy``, and drf-spectacular
renders those when it builds the schema: so the schema is built once per language, in that
language, and the page reads in its reader's (the examples, field names and paths stay as the
API has them)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularSwaggerView

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[dict[str, str]] = field(default_factory=list)
    request_example: str = ""
    responses: list[dict[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "")


#: Where a parameter goes, as a reader of the page says it.
LOCATIONS = {
    "path": _("in the path"),
    "query": _("in the query string"),
    "header": _("a header"),
    "cookie": _("a cookie"),
}


_BACKTICKS = re.compile(r"`([^`]+)`")


def prose(text: Any) -> str:
    """A schema text as HTML: escaped, its `backticked` names as ``<code>`` (the schema's own
    Markdown convention), so a field name reads as code in every language."""
    return mark_safe(_BACKTICKS.sub(r"<code>\1</code>", escape(str(text))))  # noqa: S308


@lru_cache(maxsize=8)
def api_schema(language: str = "en") -> dict[str, Any]:
    """The OpenAPI document in ``language``, built once per process and language (it depends
    only on the code)."""
    with translation.override(language):
        return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    target: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        target = target.get(part, {})
    return target


def _example(schema: dict[str, Any], node: dict[str, Any], depth: int = 0) -> Any:
    """A small illustrative value for a schema node (object fields, one list item)."""
    node = _resolve(schema, node)
    if depth > 4:
        return "..."
    if "example" in node:
        return node["example"]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {
            name: _example(schema, sub, depth + 1)
            for name, sub in (node.get("properties") or {}).items()
        }
    if kind == "array":
        return [_example(schema, node.get("items") or {}, depth + 1)]
    return {
        "string": "string",
        "integer": 0,
        "number": 0.0,
        "boolean": True,
    }.get(kind, "any")


def operations(language: str = "en") -> list[Operation]:
    schema = api_schema(language)
    ops = []
    for path, item in (schema.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not op:
                continue
            body = (
                ((op.get("requestBody") or {}).get("content") or {})
                .get("application/json", {})
                .get("schema")
            )
            ops.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=prose(op.get("summary") or op.get("operationId", "")),
                    description=prose(op.get("description", "")),
                    parameters=[
                        {
                            "name": p.get("name", ""),
                            "location": LOCATIONS.get(p.get("in", ""), p.get("in", "")),
                            "required": _("required") if p.get("required") else _("optional"),
                            "description": prose(p.get("description", "")),
                        }
                        for p in op.get("parameters") or []
                    ],
                    request_example=json.dumps(_example(schema, body), indent=2) if body else "",
                    responses=[
                        {"status": code, "description": prose(r.get("description", ""))}
                        for code, r in sorted((op.get("responses") or {}).items())
                    ],
                )
            )
    return ops


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    language = translation.get_language() or "en"
    return render(
        request,
        "exercises/api_docs.html",
        {
            "operations": operations(language),
            "base_url": base,
            "info": api_schema(language).get("info", {}),
        },
    )


swagger = SpectacularSwaggerView.as_view(url_name="api:schema")
