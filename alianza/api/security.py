"""API authentication (per-user tokens and browser sessions) and per-operation authorization.

Authorization is not decided here: every operation is looked up in `authz.API_RULES` by its
operation id, before its input is parsed. An operation without a rule is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from alianza.accounts import authz
from alianza.accounts.services import api_token_authenticate
from alianza.api.errors import error_response
from alianza.api.schemas import DB_INT_MAX, unstorable

logger = logging.getLogger(__name__)
_CACHED = "_alianza_token_user"


def _token_user(request: HttpRequest) -> Any:
    if not hasattr(request, _CACHED):
        header = request.headers.get("Authorization", "")
        user = None
        if header[:7].lower() == "bearer ":
            user = api_token_authenticate(secret=header[7:].strip())
            if user is not None:
                # A token can only be issued from a session that passed the second factor.
                user.is_verified = lambda: True  # type: ignore[attr-defined]
        setattr(request, _CACHED, user)
    return getattr(request, _CACHED)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer alz_…` with a token from the profile page or POST /tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _token_user(request)


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


def request_user(request: HttpRequest) -> Any:
    user = _token_user(request)
    if user is not None:
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _unstorable_parameter(request: HttpRequest, path_params: dict[str, Any]) -> bool:
    """Path and query values the database could not take (huge numbers, NUL, bad Unicode)."""
    values = [*path_params.values(), *(v for vs in request.GET.lists() for v in vs[1])]
    for value in values:
        text = str(value)
        if unstorable(text):
            return True
        digits = text.strip().lstrip("+-")
        if digits.isascii() and digits.isdigit() and int(digits) > DB_INT_MAX:
            return True
    return False


def authorize_operation(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps each operation's `run` (ninja "view" mode) so the rule is checked before parsing."""
    operation = run.__self__  # type: ignore[attr-defined]
    operation_id = operation.view_func.__name__

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _unstorable_parameter(request, kwargs):
            return error_response(
                422, "validation_failed", _("A value in the request cannot be stored: a number is too large or the text is not valid.")
            )
        rule = authz.api_rule(operation_id)
        if rule is None:
            logger.error("API operation without authorization rule", extra={"operation": operation_id})
            return error_response(403, "permission_denied", _("This operation is not available."))
        if rule.access != authz.Access.PUBLIC:
            user = request_user(request)
            if user is None:
                return error_response(401, "not_authenticated", _("Sign in or send a valid API token."))
            if not rule.allows(user):
                if not authz.mfa_satisfied(user):
                    return error_response(
                        403, "mfa_required", _("Complete two-factor authentication first.")
                    )
                return error_response(
                    403, "permission_denied", _("Your role does not allow this operation.")
                )
        return run(request, *args, **kwargs)

    return wrapper
