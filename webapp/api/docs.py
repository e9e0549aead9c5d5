"""/api/v1/docs: the OpenAPI document shown to people, rendered on the server.

No Swagger UI and no CDN: the page works offline and under a strict CSP. Each operation shows
its method, path, what it does, what it takes and what it answers, straight from the same
document /api/v1/openapi.json serves.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from webapp.api.api import api

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict, components: dict, depth: int = 0) -> dict:
    """Inline $refs (a few levels deep) so each operation reads on its own."""
    if depth > 4 or not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _resolve(components.get(name, {}), components, depth + 1)
    out = {}
    for key, value in schema.items():
        if isinstance(value, dict):
            out[key] = _resolve(value, components, depth + 1)
        elif isinstance(value, list):
            out[key] = [_resolve(v, components, depth + 1) for v in value]
        else:
            out[key] = value
    return out


def docs(request: HttpRequest) -> HttpResponse:
    document = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    components = document.get("components", {}).get("schemas", {})
    operations = []
    for path, item in document["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            body = op.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "body": {
                        kind: json.dumps(_resolve(c.get("schema", {}), components), indent=2)
                        for kind, c in body.items()
                    },
                    "responses": [
                        (
                            code,
                            r.get("description", ""),
                            json.dumps(
                                _resolve(
                                    r.get("content", {})
                                    .get("application/json", {})
                                    .get("schema", {}),
                                    components,
                                ),
                                indent=2,
                            ),
                        )
                        for code, r in sorted(op["responses"].items(), key=lambda r: int(r[0]))
                    ],  # fmt: skip
                }
            )
    ctx = {
        "document": document,
        "operations": operations,
        "base": request.build_absolute_uri(reverse("api:api-root")),
    }
    return render(request, "api/docs.html", ctx)
