"""The human API docs: a page drawn on the server from the OpenAPI schema (so it reads without
JavaScript and never drifts from ``/api/v1/schema``), a "submit from a notebook" example, and
Swagger UI served from drf-spectacular-sidecar's static files for trying calls."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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


@lru_cache(maxsize=1)
def api_schema() -> dict[str, Any]:
    """The OpenAPI document, built once per process (it depends only on the code)."""
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


def operations() -> list[Operation]:
    schema = api_schema()
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
                    summary=op.get("summary") or op.get("operationId", ""),
                    description=op.get("description", ""),
                    parameters=[
                        {
                            "name": p.get("name", ""),
                            "in": p.get("in", ""),
                            "required": "required" if p.get("required") else "optional",
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters") or []
                    ],
                    request_example=json.dumps(_example(schema, body), indent=2) if body else "",
                    responses=[
                        {"status": code, "description": r.get("description", "")}
                        for code, r in sorted((op.get("responses") or {}).items())
                    ],
                )
            )
    return ops


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "exercises/api_docs.html",
        {"operations": operations(), "base_url": base, "info": api_schema().get("info", {})},
    )


swagger = SpectacularSwaggerView.as_view(url_name="api:schema")
