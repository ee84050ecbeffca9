"""Request-wide middleware: a request id for logs and the audit trail, and an access log."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from alianza.core.request_context import current_request_id, reset_request_id, set_request_id

access_log = logging.getLogger("alianza.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


class RequestIdMiddleware:
    """Gives each request an id (a well-formed X-Request-ID from a proxy is kept) and logs it.

    The access log records the method, the route *name* and the status, never the path or the
    query string, because those may carry a name typed into a search box.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        token = set_request_id(incoming if _VALID_ID.match(incoming) else None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": getattr(getattr(request, "user", None), "pk", None),
                },
            )
            response["X-Request-ID"] = current_request_id()
            return response
        finally:
            reset_request_id(token)


class LanguageMiddleware(LocaleMiddleware):
    """Spanish unless the user chose otherwise (language switch or saved preference).

    Django's LocaleMiddleware would follow the browser's Accept-Language; the platform's users
    share office computers configured in any language, so only an explicit choice counts.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
