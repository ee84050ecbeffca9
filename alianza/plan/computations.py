"""Registered computations for plan indicators: key → function of the year, computed from the registry.

A computed indicator names one of these keys; adding an indicator that uses an existing key
needs no code. A new kind of computation is one decorated function here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alianza.stats.indicators import Indicators


@dataclass(frozen=True)
class Computation:
    key: str
    label: str | Promise
    compute: Callable[[Indicators, int], float | None]


COMPUTATIONS: dict[str, Computation] = {}


def register(
    key: str, label: str | Promise
) -> Callable[
    [Callable[[Indicators, int], float | None]], Callable[[Indicators, int], float | None]
]:
    def wrap(
        fn: Callable[[Indicators, int], float | None],
    ) -> Callable[[Indicators, int], float | None]:
        COMPUTATIONS[key] = Computation(key, label, fn)
        return fn

    return wrap


def computation_choices() -> list[tuple[str, str | Promise]]:
    return [(c.key, c.label) for c in COMPUTATIONS.values()]


def _total(measure: str) -> Callable[[Indicators, int], float]:
    def compute(engine: Indicators, year: int) -> float:
        return float(engine.totals(year=year)[measure][1])

    return compute


register("cases_registered", _("Cases registered"))(_total("cases"))
register("victims_identified", _("Victims identified (deduplicated)"))(_total("victims"))
register("persons_prosecuted", _("Persons prosecuted"))(_total("prosecuted"))
register("persons_convicted", _("Persons convicted"))(_total("convicted"))


@register("conviction_rate", _("Persons convicted per 100 prosecuted"))
def _conviction_rate(engine: Indicators, year: int) -> float | None:
    totals = engine.totals(year=year)
    prosecuted = totals["prosecuted"][1]
    return round(100 * totals["convicted"][1] / prosecuted, 1) if prosecuted else None


@register("child_victims_share", _("Share of victims who are children (%)"))
def _child_share(engine: Indicators, year: int) -> float | None:
    frame = engine.breakdown(year=year, by="sex_age")
    counts = dict(zip(frame["category"], frame["deduplicated"], strict=True))
    total = sum(counts.values())
    return (
        round(100 * (counts.get("girls", 0) + counts.get("boys", 0)) / total, 1) if total else None
    )


@register("international_victims_share", _("Share of victims exploited abroad (%)"))
def _abroad_share(engine: Indicators, year: int) -> float | None:
    flows = engine.flows(year=year)
    total = int(flows["deduplicated"].sum())
    abroad = int(flows.loc[flows["destination"] != "BOL", "deduplicated"].sum())
    return round(100 * abroad / total, 1) if total else None


@register(
    "victims_referred_72h_share", _("Share of victims referred to services within 72 hours (%)")
)
def _referred_within_72h(engine: Indicators, year: int) -> float | None:
    """Victims of the year's cases with a referral proposed within 72 h of the case being reported.

    Referrals live in the protection app, so this one is counted in the database, not the engine.
    """
    from django.apps import apps

    if not apps.is_installed("alianza.protection"):
        return None
    from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q
    from django.db.models.functions import Cast

    from alianza.people.models import Participation
    from alianza.protection.models import Referral

    deadline = ExpressionWrapper(
        Cast("case__reported_on", DateTimeField()) + datetime.timedelta(hours=72),
        output_field=DateTimeField(),
    )
    victims = (
        Participation.objects.filter(role="victim", case__reported_on__year=year)
        .annotate(deadline=deadline)
        .annotate(
            in_time=Exists(
                Referral.objects.filter(
                    participation=OuterRef("pk"), proposed_at__lte=OuterRef("deadline")
                )
            )
        )
    )
    counts = victims.aggregate(total=Count("pk"), referred=Count("pk", filter=Q(in_time=True)))
    return round(100 * counts["referred"] / counts["total"], 1) if counts["total"] else None
