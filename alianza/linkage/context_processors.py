"""The number of open missing-person match alerts, for the badge in the navigation."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from alianza.accounts import authz
from alianza.linkage.selectors import match_alert_open_count


def match_alerts(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not authz.has_perm(user, authz.Perm.LINKAGE_ALERTS):
        return {}

    @cache
    def count() -> int:
        return match_alert_open_count(acting_user=user)

    # Templates call it, so the (indexed) COUNT runs only on pages that show the navigation.
    return {"open_match_alerts": count}
