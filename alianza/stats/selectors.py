"""Reads for the dashboards, reports and exports: figures with labels, disclosure-controlled when public.

Signed-in users with `Perm.STATS_VIEW` see exact raw and deduplicated counts side by side. The
public dashboard sees deduplicated counts after disclosure control only. A page is built from the
chosen year's figures and every year's trend entry, each cached under its year's version
(`services.year_figures`, `services.stats_trend`), and cached itself under all those versions, so
a write never leaves it stale and recomputes only the years it touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.core.errors import PermissionDenied
from alianza.normalize.countries import get_country
from alianza.normalize.errors import NormalizationError
from alianza.stats import services
from alianza.stats.disclosure import min_cell_from_settings, suppress_series
from alianza.stats.indicators import Indicators
from alianza.stats.labels import country_name, labeller
from alianza.stats.models import PopulationFigure

CACHE_SECONDS = 3600


@dataclass
class Chart:
    """One chart and the table it is drawn from (the table is shown beside it, and downloadable)."""

    key: str
    title: str
    kind: str  # line, bar, map
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "kind": self.kind, "columns": self.columns,
                "rows": self.rows, "note": self.note, **self.extra}  # fmt: skip


def _numeric(alpha3: str) -> str:
    """ISO 3166 numeric code: the id of the country shapes bundled for the map."""
    try:
        return get_country(alpha3).numeric
    except NormalizationError:
        return ""


def _require_view(acting_user: Any) -> None:
    if not authz.has_perm(acting_user, authz.Perm.STATS_VIEW):
        raise PermissionDenied(_("You may not see statistics."))


def available_years(trend: pd.DataFrame) -> list[int]:
    return sorted({int(y) for y in trend["year"]})


def _protect(values: list[int], min_cell: int) -> list[int | None]:
    """Deduplicated figures of an additive series, suppressed as if their total were published."""
    if not values:
        return []
    return list(suppress_series(values, min_cell=min_cell).cells[0])


def _primary_only(values: list[int], min_cell: int) -> list[int | None]:
    return [None if 0 < v < min_cell else v for v in values]


def _build(
    engine: Indicators, *, trend: pd.DataFrame, year: int, public: bool, min_cell: int
) -> dict[str, Any]:
    """`engine` answers for `year`; `trend` holds the cases and victims of every year."""
    label = labeller()
    years = available_years(trend)
    counts = pd.concat([engine.yearly_counts(), trend], ignore_index=True)
    count_rows: list[Any] = list(counts.itertuples())
    by = {(int(r.year), r.measure): (int(r.raw), int(r.deduplicated)) for r in count_rows}
    raw_h, dedup_h = _("Recorded by the agencies"), _("Persons (deduplicated)")

    def breakdown_chart(key: str, title: str, heading: str, frame: Any, kind: str = "bar") -> Chart:
        cats = [label(str(c)) for c in frame["category"]]
        raw, dedup = [int(v) for v in frame["raw"]], [int(v) for v in frame["deduplicated"]]
        if public:
            return Chart(
                key,
                title,
                kind,
                [heading, dedup_h],
                [[c, v] for c, v in zip(cats, _protect(dedup, min_cell), strict=True)],
            )
        return Chart(
            key,
            title,
            kind,
            [heading, raw_h, dedup_h],
            [list(r) for r in zip(cats, raw, dedup, strict=True)],
        )

    # Headline totals and the trend: single figures, withheld when small.
    measures = [("cases", _("Cases")), ("victims", _("Victims")), ("suspects", _("Suspects")),
                ("prosecuted", _("Persons prosecuted")), ("convicted", _("Persons convicted"))]  # fmt: skip
    headline = []
    for measure, name in measures:
        raw, dedup = by.get((year, measure), (0, 0))
        headline.append({"key": measure, "label": name, "raw": None if public else raw,
                         "deduplicated": _primary_only([dedup], min_cell)[0] if public else dedup})  # fmt: skip

    trend_rows: list[list[Any]] = []
    for y in years:
        cases, victims = by.get((y, "cases"), (0, 0)), by.get((y, "victims"), (0, 0))
        if public:
            trend_rows.append([y, *_primary_only([cases[1], victims[1]], min_cell)])
        else:
            trend_rows.append([y, cases[1], victims[0], victims[1]])
    trend_columns = [_("Year"), _("Cases"), _("Victims (deduplicated)")] if public else [
        _("Year"), _("Cases"), _("Victim records"), _("Victims (deduplicated)")]  # fmt: skip
    charts = [Chart("trend", _("Cases and victims per year"), "line", trend_columns, trend_rows)]
    charts.append(breakdown_chart("sex_age", _("Victims by sex and age group"), _("Sex and age group"),
                                  engine.breakdown(year=year, by="sex_age")))  # fmt: skip
    charts.append(breakdown_chart("exploitation", _("Victims by form of exploitation"), _("Form of exploitation"),
                                  engine.breakdown(year=year, by="exploitation")))  # fmt: skip
    flows = engine.flows(year=year)
    flow_rows: list[list[Any]]
    pairs = list(zip(flows["origin"], flows["destination"], strict=True))
    if public:
        values = _protect([int(v) for v in flows["deduplicated"]], min_cell)
        flow_rows = [
            [country_name(o), country_name(d), v] for (o, d), v in zip(pairs, values, strict=True)
        ]
        flow_columns = [_("Origin"), _("Destination"), dedup_h]
    else:
        flow_rows = [[country_name(o), country_name(d), int(r), int(v)]
                     for (o, d), r, v in zip(pairs, flows["raw"], flows["deduplicated"], strict=True)]  # fmt: skip
        flow_columns = [_("Origin"), _("Destination"), raw_h, dedup_h]
    charts.append(Chart("flows", _("Victims by route, origin to place of exploitation"), "map", flow_columns, flow_rows,
                        extra={"codes": [[_numeric(o), _numeric(d)] for o, d in pairs]}))  # fmt: skip
    if not public:
        for by_key, title, heading in (
            ("citizenship", _("Victims by citizenship"), _("Citizenship")),
            ("department", _("Victims by department"), _("Department")),
            ("institution", _("Victims by recording institution"), _("Institution")),
            ("crime_type", _("Victims by crime type"), _("Crime type")),
        ):
            charts.append(
                breakdown_chart(by_key, title, heading, engine.breakdown(year=year, by=by_key))
            )
    return {"year": year, "years": years, "headline": headline, "charts": [c.as_dict() for c in charts],
            "public": public, "min_cell": min_cell}  # fmt: skip


def dashboard_data(
    *, acting_user: Any, year: int | None = None, public: bool = False
) -> dict[str, Any]:
    """Everything the dashboard shows for `year` (the latest year with data by default)."""
    if not public:
        _require_view(acting_user)
    min_cell = min_cell_from_settings()
    versions = services.stats_versions()
    language = translation.get_language() or "es"
    digest = hashlib.sha256(
        repr((sorted(versions.items()), year, public, min_cell, language)).encode()
    ).hexdigest()
    key = f"stats:dashboard:{digest}"
    data = cache.get(key)
    if data is None:
        years = sorted(versions)
        chosen = year if year is not None else (years[-1] if years else timezone.now().year)
        figures = services.year_figures(year=chosen)
        trend = services.stats_trend()
        data = _build(figures, trend=trend, year=chosen, public=public, min_cell=min_cell)
        if not any(v.startswith("unknown:") for v in versions.values()):
            cache.set(key, data, CACHE_SECONDS)
    from alianza.plan.selectors import progress_by_axis

    # Plan progress: the plan's own tables ("plan") and the computed values of its years.
    plan_version = services.stats_scope_version("plan")
    plan_digest = hashlib.sha256(
        repr((plan_version, sorted(versions.items()), language)).encode()
    ).hexdigest()
    plan_key = f"stats:plan-progress:{plan_digest}"
    plan = cache.get(plan_key)
    if plan is None:
        plan = progress_by_axis()
        if not plan_version.startswith("unknown:"):
            cache.set(plan_key, plan, CACHE_SECONDS)
    data = dict(data)
    data["plan"] = plan
    return data


def sdg_16_2_2(engine: Indicators, *, year: int) -> list[dict[str, Any]]:
    """Detected victims per 100,000 population by sex and age group (SDG indicator 16.2.2)."""
    frame = engine.breakdown(year=year, by="sex_age")
    frame_rows: list[Any] = list(frame.itertuples())
    victims = {row.category: int(row.deduplicated) for row in frame_rows}
    figures = {f.group: f for f in PopulationFigure.objects.filter(year=year)}
    label = labeller()
    rows: list[dict[str, Any]] = []
    for group in ("women", "men", "girls", "boys"):
        figure = figures.get(group)
        rate = round(victims.get(group, 0) * 100_000 / figure.population, 2) if figure else None
        rows.append({"group": group, "label": label(group), "victims": victims.get(group, 0),
                     "population": figure.population if figure else None, "rate": rate,
                     "synthetic": bool(figure and figure.is_synthetic)})  # fmt: skip
    total_pop = sum(r["population"] or 0 for r in rows)
    total_victims = sum(victims.values())
    rows.append({"group": "total", "label": _("Total"), "victims": total_victims, "population": total_pop or None,
                 "rate": round(total_victims * 100_000 / total_pop, 2) if total_pop else None,
                 "synthetic": any(r["synthetic"] for r in rows)})  # fmt: skip
    return rows
