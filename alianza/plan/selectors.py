"""Reads of the national plan: indicators with targets, measured or computed values, and progress."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.core.errors import NotFound, PermissionDenied
from alianza.plan.computations import COMPUTATIONS
from alianza.plan.models import Axis, Goal, Indicator, IndicatorMethod, Plan, progress_ratio


def _require_view(acting_user: Any) -> None:
    if not (
        authz.has_perm(acting_user, authz.Perm.STATS_VIEW)
        or authz.has_perm(acting_user, authz.Perm.PLAN_MANAGE)
    ):
        raise PermissionDenied(_("You may not see the national plan."))


def plan_list(*, acting_user: Any) -> list[Plan]:
    _require_view(acting_user)
    return list(Plan.objects.all())


def current_plan() -> Plan | None:
    return Plan.objects.order_by("-start_year").first()


@dataclass
class IndicatorRow:
    indicator: Indicator
    values: dict[int, Decimal | None]
    targets: dict[int, Decimal]
    latest_year: int | None
    progress: float | None


def _indicators(plan: Plan) -> list[Indicator]:
    return list(
        Indicator.objects.filter(goal__axis__plan=plan)
        .select_related("goal__axis")
        .prefetch_related("targets", "measurements")
        .order_by("goal__axis__position", "goal__position", "position", "id")
    )


def _computed_values(
    indicators: list[Indicator], years: range
) -> dict[int, dict[int, Decimal | None]]:
    computed = [
        i
        for i in indicators
        if i.method == IndicatorMethod.COMPUTED and i.computation in COMPUTATIONS
    ]
    if not computed:
        return {}
    from alianza.stats import services

    out: dict[int, dict[int, Decimal | None]] = {i.pk: dict.fromkeys(years) for i in computed}
    data_years = set(services.stats_versions())
    keys = sorted({i.computation for i in computed})

    def values_of(year: int) -> dict[str, float | None]:
        figures = services.year_figures(year=year)
        return {key: COMPUTATIONS[key].compute(figures, year) for key in keys}

    for year in years:
        if year not in data_years:
            continue
        # Cached with the year's figures: recomputed only after a write that touches the year.
        values = services.year_cached(
            "plan-values:" + ",".join(keys), year=year, compute=functools.partial(values_of, year)
        )
        for indicator in computed:
            value = values[indicator.computation]
            out[indicator.pk][year] = Decimal(str(value)) if value is not None else None
    return out


def _target_for(targets: dict[int, Decimal], year: int) -> Decimal | None:
    """The target set for `year`, else the next one set, else the last one."""
    if year in targets:
        return targets[year]
    later = [y for y in targets if y > year]
    if later:
        return targets[min(later)]
    return targets[max(targets)] if targets else None


def indicator_rows(plan: Plan) -> list[IndicatorRow]:
    indicators = _indicators(plan)
    computed = _computed_values(indicators, plan.years)
    rows = []
    for indicator in indicators:
        if indicator.pk in computed:
            values = computed[indicator.pk]
        else:
            measured = {m.year: m.value for m in indicator.measurements.all()}
            values = {year: measured.get(year) for year in plan.years}
        targets = {t.year: t.value for t in indicator.targets.all()}
        known = [y for y, v in values.items() if v is not None]
        latest = max(known) if known else None
        target = _target_for(targets, latest) if latest is not None else None
        progress = None
        if latest is not None and target is not None:
            progress = progress_ratio(baseline=indicator.baseline_value, target=target,
                                      value=values[latest] or Decimal(0), direction=indicator.direction)  # fmt: skip
        rows.append(IndicatorRow(indicator, values, targets, latest, progress))
    return rows


def plan_detail(*, acting_user: Any, plan_id: int) -> dict[str, Any]:
    _require_view(acting_user)
    plan = (
        Plan.objects.prefetch_related(
            Prefetch(
                "axes",
                queryset=Axis.objects.prefetch_related(
                    Prefetch("goals", queryset=Goal.objects.all())
                ),
            )
        )
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise NotFound(_("There is no such plan."))
    rows = indicator_rows(plan)
    by_goal: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_goal.setdefault(row.indicator.goal_id, []).append({
            "indicator": row.indicator,
            "cells": [(row.targets.get(year), row.values.get(year)) for year in plan.years],
            "progress": None if row.progress is None else round(100 * row.progress),
        })  # fmt: skip
    sections = [
        {
            "axis": axis,
            "goals": [
                {"goal": goal, "rows": by_goal.get(goal.pk, [])} for goal in axis.goals.all()
            ],
        }
        for axis in plan.axes.all()
    ]
    return {"plan": plan, "sections": sections, "years": list(plan.years)}


def progress_by_axis(plan: Plan | None = None) -> dict[str, Any]:
    """Average progress of each axis's indicators towards their targets (0–100), for the dashboard."""
    plan = plan or current_plan()
    if plan is None:
        return {"plan": "", "rows": []}
    rows = indicator_rows(plan)
    axes = list(plan.axes.all())
    result = []
    for axis in axes:
        ratios = [
            r.progress
            for r in rows
            if r.indicator.goal.axis_id == axis.pk and r.progress is not None
        ]
        result.append([str(axis), round(100 * sum(ratios) / len(ratios)) if ratios else None])
    return {"plan": plan.title, "rows": result}
