"""The versioned REST API, /api/v1. Each bounded context contributes a router from its api.py."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import Operation

from alianza.accounts.api import router as accounts_router
from alianza.api.errors import error_response, validation_details
from alianza.api.schemas import ErrorOut
from alianza.api.security import SessionAuth, TokenAuth, authorize_operation
from alianza.audit.api import router as audit_router
from alianza.cases.api import router as cases_router
from alianza.core.errors import ApplicationError
from alianza.exchange.api import router as exchange_router
from alianza.linkage.api import router as linkage_router
from alianza.protection.api import router as protection_router

logger = logging.getLogger(__name__)


# Every operation can answer with these, in the one error format (alianza.api.errors).
COMMON_ERRORS = {
    "400": "Malformed request body",
    "401": "Not authenticated",
    "403": "Not allowed for this role",
    "404": "Not found",
    "413": "Request body too large",
    "422": "Validation failed",
}


class AlianzaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Operation ids are the view functions' names; authz.API_RULES is keyed by them.
        return operation.view_func.__name__

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Document the shared error responses on every operation, once, here."""
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components.setdefault("ErrorOut", error_schema)
        error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                documented = {str(code) for code in responses}
                for status, description in COMMON_ERRORS.items():
                    if status not in documented:
                        responses[status] = {"description": description, **error_ref}
        return schema


api = AlianzaAPI(
    title="Alianza API",
    version="1",
    description=(
        "REST API of the Alianza platform. Authenticate with `Authorization: Bearer <token>` "
        "(create tokens on your profile page) or with a browser session plus CSRF token. "
        "Errors always have the form `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_decorator(authorize_operation, mode="view")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = validation_details(list(exc.errors))
    if any(d["type"] == "json_invalid" for d in details):
        return error_response(400, "malformed_json", _("The request body is not valid JSON."), details)
    return error_response(422, "validation_failed", _("The request is not valid."), details)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "not_authenticated", _("Sign in or send a valid API token."))


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return error_response(exc.http_status, exc.code, exc.message, exc.extra or None)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja wraps the JSON parser's error; say where the body stops being JSON.
        return error_response(
            400,
            "malformed_json",
            _("The request body is not valid JSON: %(error)s") % {"error": exc.__cause__},
        )
    return error_response(exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(413, "payload_too_large", _("The request body is too large."))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected API error")
    return error_response(500, "internal_error", _("Something went wrong; the request changed nothing."))


api.add_router("/", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/", cases_router)
api.add_router("/protection", protection_router)
api.add_router("/exchange", exchange_router)
api.add_router("/", linkage_router)


def operation_ids() -> list[str]:
    schema: dict[str, Any] = api.get_openapi_schema()
    return sorted(
        op["operationId"] for ops in schema["paths"].values() for op in ops.values() if "operationId" in op
    )
