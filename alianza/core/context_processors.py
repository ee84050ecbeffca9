from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alianza.accounts import authz
from alianza.core.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not authz.is_verified(user):
        return {"nav_items": []}
    return {"nav_items": navigation_for(user)}
