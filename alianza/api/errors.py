"""One JSON error format for the whole API: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse


def error_response(status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": str(message)}}
    if details is not None:
        body["error"]["details"] = details
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic/ninja errors as {field, problem} pairs a client can show next to its inputs."""
    details = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        details.append(
            {
                "field": ".".join(loc),
                "problem": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    return details
