"""Session inactivity timeout and route authorization, applied to every request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from alianza.accounts import authz

logger = logging.getLogger(__name__)
_LAST_SEEN = "alianza_last_seen"


class SessionIdleTimeoutMiddleware:
    """Signs a user out after SESSION_IDLE_TIMEOUT seconds without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN)
            if last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                request.session["alianza_timed_out"] = True
            elif last_seen is None or now - int(last_seen) >= 30:
                # Write at most every 30 s, not on every request.
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


class AuthorizationMiddleware:
    """Refuses any route whose rule in `authz.ROUTE_RULES` the user does not meet.

    A route with no rule is refused for everybody (fail closed) and logged, so a forgotten rule is
    a visible error rather than an open door. The API namespace enforces its own rules per
    operation (alianza.api), so that its refusals come back as JSON.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        if match.namespace == authz.API_NAMESPACE or match.namespace.startswith(
            authz.API_NAMESPACE + ":"
        ):
            return None
        rule = authz.route_rule(match.view_name)
        if rule is None:
            logger.error("route without authorization rule", extra={"route": match.view_name})
            return forbidden(request)
        if rule.allows(request.user):
            return None
        user = request.user
        if not authz.is_signed_in(user):
            return HttpResponseRedirect(
                f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
            )
        if rule.access != authz.Access.SIGNED_IN and not authz.mfa_satisfied(user):
            return HttpResponseRedirect(reverse("accounts:mfa_verify"))
        return forbidden(request)


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "403.html",
        {"message": _("Your role does not give access to this page.")},
        status=403,
    )
