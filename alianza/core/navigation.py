"""The navigation each user sees, derived from the authorization rules so the two never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alianza.accounts import authz


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    icon: str = ""


# Later apps add their entries here; an entry is shown only when the route's rule allows it.
NAV_ITEMS: list[NavItem] = [
    NavItem("core:home", _("Home")),
    NavItem("cases:case_list", _("Cases")),
    NavItem("cases:case_create", _("New case")),
    NavItem("cases:import_start", _("Imports")),
    NavItem("linkage:review_queue", _("Linkage review")),
    NavItem("linkage:alert_list", _("Alerts")),
    NavItem("protection:dashboard", _("Protection")),
    NavItem("prosecution:proceeding_list", _("Prosecutions")),
    NavItem("stats:dashboard", _("Statistics")),
    NavItem("exchange:outbox", _("Exchange")),
    NavItem("agreements:agreement_list", _("Agreements")),
    NavItem("plan:plan_list", _("National plan")),
    NavItem("audit:entry_list", _("Audit trail")),
    NavItem("admin:index", _("Administration")),
]


def navigation_for(user: Any) -> list[dict[str, Any]]:
    items = []
    for item in NAV_ITEMS:
        rule = authz.route_rule(item.url_name)
        if rule is None or not rule.allows(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # the app providing it is not installed yet
        items.append({"url_name": item.url_name, "url": url, "label": item.label})
    return items
