"""Writes to the national plan: import a plan from its definition, set targets, record values.

A plan's structure is data (a JSON definition, see `data/plan-2021-2025.json`), so a successor
plan is added with `alianza plan import FILE.json` or through these services, never with code.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.services import audit_record
from alianza.core.errors import Conflict, PermissionDenied, ValidationFailed
from alianza.plan.computations import COMPUTATIONS
from alianza.plan.models import (
    Axis,
    AxisKind,
    Direction,
    Goal,
    Indicator,
    IndicatorMethod,
    Measurement,
    Plan,
    Target,
)

DEMO_PLAN = "plan-2021-2025.json"


def _require_manage(acting_user: Any) -> None:
    if acting_user is not None and not authz.has_perm(acting_user, authz.Perm.PLAN_MANAGE):
        raise PermissionDenied(_("You may not manage the national plan."))


def _decimal(value: Any, what: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            _("%(what)s is not a number: %(value)s") % {"what": what, "value": value}
        ) from None


def plan_import(*, acting_user: Any, definition: dict[str, Any]) -> Plan:
    """Create a plan with its axes, goals, indicators, targets and any measured values.

    `acting_user` is None only for the demo seed. Nothing is created if any part is invalid.
    """
    _require_manage(acting_user)
    try:
        code, start, end = (
            str(definition["code"]),
            int(definition["start_year"]),
            int(definition["end_year"]),
        )
        title = str(definition["title"])
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(
            _("A plan needs a code, a title, a first year and a last year.")
        ) from None
    if end < start:
        raise ValidationFailed(_("The last year of the plan comes before its first year."))
    with transaction.atomic(durable=True):
        if Plan.objects.filter(code=code).exists():
            raise Conflict(_("A plan with the code %(code)s already exists.") % {"code": code})
        plan = Plan.objects.create(code=code, title=title, start_year=start, end_year=end,
                                   description=str(definition.get("description", "")))  # fmt: skip
        for a_pos, axis_def in enumerate(definition.get("axes", [])):
            kind = axis_def.get("kind")
            if kind not in AxisKind.values:
                raise ValidationFailed(_("Unknown axis kind: %(kind)s") % {"kind": kind})
            axis = Axis.objects.create(
                plan=plan, kind=kind, position=a_pos, title=axis_def.get("title", "")
            )
            for g_pos, goal_def in enumerate(axis_def.get("goals", [])):
                goal = Goal.objects.create(
                    axis=axis, code=goal_def["code"], title=goal_def["title"], position=g_pos
                )
                for i_pos, ind in enumerate(goal_def.get("indicators", [])):
                    _indicator_import(
                        goal=goal,
                        position=i_pos,
                        definition=ind,
                        plan=plan,
                        acting_user=acting_user,
                    )
        audit_record(actor=acting_user, action="plan.plan_import", obj=plan)
    return plan


def _indicator_import(
    *, goal: Goal, position: int, definition: dict[str, Any], plan: Plan, acting_user: Any
) -> None:
    method = definition.get("method", IndicatorMethod.MANUAL)
    computation = definition.get("computation", "") if method == IndicatorMethod.COMPUTED else ""
    if method not in IndicatorMethod.values:
        raise ValidationFailed(_("Unknown indicator method: %(method)s") % {"method": method})
    if method == IndicatorMethod.COMPUTED and computation not in COMPUTATIONS:
        raise ValidationFailed(_("Unknown computation: %(key)s") % {"key": computation})
    direction = definition.get("direction", Direction.INCREASE)
    if direction not in Direction.values:
        raise ValidationFailed(_("Unknown direction: %(direction)s") % {"direction": direction})
    indicator = Indicator.objects.create(
        goal=goal, code=definition["code"], title=definition["title"], unit=definition.get("unit", ""),
        method=method, computation=computation, direction=direction, position=position,
        baseline_year=int(definition["baseline_year"]),
        baseline_value=_decimal(definition["baseline_value"], _("The baseline")),
    )  # fmt: skip
    for year, value in definition.get("targets", {}).items():
        Target.objects.create(
            indicator=indicator, year=int(year), value=_decimal(value, _("A target"))
        )
    for m in definition.get("measurements", []):
        Measurement.objects.create(indicator=indicator, year=int(m["year"]), value=_decimal(m["value"], _("A value")),
                                   evidence=m.get("evidence", ""), recorded_by=acting_user)  # fmt: skip


def plan_import_file(*, acting_user: Any, path: Path) -> Plan:
    try:
        definition = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationFailed(
            _("The plan file cannot be read: %(error)s") % {"error": exc}
        ) from None
    return plan_import(acting_user=acting_user, definition=definition)


def plan_demo_seed() -> Plan:
    """The Plurinational Plan 2021–2025 with synthetic figures (idempotent)."""
    definition = json.loads(
        resources.files("alianza.plan").joinpath(f"data/{DEMO_PLAN}").read_text("utf-8")
    )
    existing = Plan.objects.filter(code=definition["code"]).first()
    return existing or plan_import(acting_user=None, definition=definition)


def measurement_record(
    *,
    acting_user: Any,
    indicator: Indicator,
    year: int,
    value: Decimal,
    evidence: str,
    evidence_url: str = "",
) -> Measurement:
    """Record (or correct) the value a hand-entered indicator reached in `year`, with its evidence."""
    _require_manage(acting_user)
    if indicator.method != IndicatorMethod.MANUAL:
        raise ValidationFailed(
            _("This indicator is computed from the registry; its values cannot be entered.")
        )
    plan = indicator.goal.axis.plan
    if year not in plan.years:
        raise ValidationFailed(_("The year must be within the plan's years."))
    if not evidence.strip() and not evidence_url.strip():
        raise ValidationFailed(
            _("Say where the figure comes from: give the evidence or a link to it.")
        )
    with transaction.atomic(durable=True):
        measurement, created = Measurement.objects.update_or_create(
            indicator=indicator, year=year,
            defaults={"value": value, "evidence": evidence.strip(), "evidence_url": evidence_url.strip(), "recorded_by": acting_user},
        )  # fmt: skip
        audit_record(actor=acting_user, action="plan.measurement_create" if created else "plan.measurement_update",
                     obj=measurement, changed_fields=["value", "evidence", "evidence_url"])  # fmt: skip
    return measurement


def target_set(*, acting_user: Any, indicator: Indicator, year: int, value: Decimal) -> Target:
    _require_manage(acting_user)
    if year not in indicator.goal.axis.plan.years:
        raise ValidationFailed(_("The year must be within the plan's years."))
    with transaction.atomic(durable=True):
        target, _created = Target.objects.update_or_create(
            indicator=indicator, year=year, defaults={"value": value}
        )
        audit_record(
            actor=acting_user, action="plan.target_set", obj=target, changed_fields=["value"]
        )
    return target
