"""The national plan: import, hand-entered values with evidence, computed values and progress."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.audit.models import AuditEntry
from alianza.core.errors import PermissionDenied, ValidationFailed
from alianza.plan import selectors, services
from alianza.plan.models import Indicator, IndicatorMethod, Plan, progress_ratio
from alianza.stats import services as stats_services
from alianza.stats.services import FrameSource
from alianza.stats.tests.fixtures import small_data


@pytest.fixture
def small_registry(db: Any) -> Iterator[None]:
    previous = stats_services.stats_source_set(FrameSource(small_data()))
    yield
    stats_services.stats_source_set(previous)


def verified(user: Any) -> Any:
    user.is_verified = lambda: True  # as django-otp marks it after the second factor
    return user


def demo_definition() -> dict[str, Any]:
    return json.loads(
        resources.files("alianza.plan").joinpath("data/plan-2021-2025.json").read_text("utf-8")
    )


def test_demo_plan_has_the_four_axes(db: Any, small_registry: None) -> None:
    plan = services.plan_demo_seed()
    assert services.plan_demo_seed() == plan  # idempotent
    assert [a.kind for a in plan.axes.all()] == [
        "prevention",
        "protection",
        "prosecution",
        "coordination",
    ]
    assert Indicator.objects.filter(goal__axis__plan=plan, method=IndicatorMethod.COMPUTED).exists()


def test_a_successor_plan_is_data(db: Any, make_user: Callable[..., Any]) -> None:
    coordinator = verified(make_user(Role.COORDINATOR))
    successor = copy.deepcopy(demo_definition())
    successor.update(code="plan-2026-2030", title="Plan 2026–2030", start_year=2026, end_year=2030)
    plan = services.plan_import(acting_user=coordinator, definition=successor)
    assert Plan.objects.count() == 1 and plan.years == range(2026, 2031)
    assert AuditEntry.objects.filter(action="plan.plan_import").count() == 1


def test_only_coordinators_manage_the_plan(db: Any, make_user: Callable[..., Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.plan_import(acting_user=make_user(Role.ANALYST), definition=demo_definition())


def test_bad_definition_leaves_nothing_behind(db: Any, make_user: Callable[..., Any]) -> None:
    broken = demo_definition()
    broken["axes"][3]["goals"][0]["indicators"][0]["computation"] = "no_such_thing"
    broken["axes"][3]["goals"][0]["indicators"][0]["method"] = "computed"
    with pytest.raises(ValidationFailed):
        services.plan_import(acting_user=verified(make_user(Role.COORDINATOR)), definition=broken)
    assert Plan.objects.count() == 0


def test_hand_entered_value_needs_evidence(
    db: Any, small_registry: None, make_user: Callable[..., Any]
) -> None:
    coordinator = verified(make_user(Role.COORDINATOR))
    plan = services.plan_demo_seed()
    indicator = Indicator.objects.get(goal__axis__plan=plan, code="4.1.1")
    with pytest.raises(ValidationFailed):
        services.measurement_record(
            acting_user=coordinator, indicator=indicator, year=2024, value=Decimal(6), evidence=" "
        )
    services.measurement_record(acting_user=coordinator, indicator=indicator, year=2024, value=Decimal(7),
                                evidence="Registro de acuerdos 2024")  # fmt: skip
    row = next(r for r in selectors.indicator_rows(plan) if r.indicator.code == "4.1.1")
    # Baseline 3, target for 2024 is 7, reached 7.
    assert row.latest_year == 2024 and row.progress == 1.0


def test_computed_indicator_reads_the_registry(db: Any, small_registry: None) -> None:
    plan = services.plan_demo_seed()
    row = next(r for r in selectors.indicator_rows(plan) if r.indicator.code == "2.1.2")
    # 2022 has one victim and 2023 three (deduplicated) in the small data set.
    assert row.values[2022] == Decimal(1) and row.values[2023] == Decimal(3)
    row = next(r for r in selectors.indicator_rows(plan) if r.indicator.code == "3.1.1")
    assert row.values[2023] == Decimal("50.0")  # 1 convicted of 2 prosecuted


def test_progress_by_axis(db: Any, small_registry: None) -> None:
    services.plan_demo_seed()
    progress = selectors.progress_by_axis()
    assert len(progress["rows"]) == 4
    assert all(value is None or 0 <= value <= 100 for _, value in progress["rows"])


def test_progress_ratio_both_directions() -> None:
    assert (
        progress_ratio(
            baseline=Decimal(10), target=Decimal(20), value=Decimal(15), direction="increase"
        )
        == 0.5
    )
    assert (
        progress_ratio(
            baseline=Decimal(50), target=Decimal(40), value=Decimal(45), direction="decrease"
        )
        == 0.5
    )
    assert (
        progress_ratio(
            baseline=Decimal(50), target=Decimal(40), value=Decimal(60), direction="decrease"
        )
        == 0.0
    )
    assert (
        progress_ratio(
            baseline=Decimal(5), target=Decimal(5), value=Decimal(5), direction="increase"
        )
        is None
    )


def test_share_of_victims_referred_within_72_hours(db: Any, make_user: Callable[..., Any]) -> None:
    import datetime as dt

    from alianza.cases.tests.factories import CaseFactory, ParticipationFactory
    from alianza.plan.computations import COMPUTATIONS
    from alianza.protection.models import Referral

    case = CaseFactory(reported_on=dt.date(2023, 5, 10))
    on_time, late, never = (ParticipationFactory(case=case) for _ in range(3))
    ParticipationFactory(case=case, role="suspect")
    user = make_user(Role.CASE_WORKER)
    for victim, hours in ((on_time, 50), (late, 100)):
        at = dt.datetime(2023, 5, 10, tzinfo=dt.UTC) + dt.timedelta(hours=hours)
        Referral.objects.create(participation=victim, kind="transnational", partner_country="ARG", from_institution=case.owner_institution,
                                reason="AdditionalServicesRequired", proposed_at=at,
                                consent_override_reason="Riesgo inminente (prueba)",
                                consent_overridden_by=user,
                                first_contact_due_at=at + dt.timedelta(hours=24), created_by=user)  # fmt: skip
    compute = COMPUTATIONS["victims_referred_72h_share"].compute
    assert compute(None, 2023) == 33.3  # type: ignore[arg-type]  # one of three victims
    assert compute(None, 2022) is None  # type: ignore[arg-type]
    assert never.pk
