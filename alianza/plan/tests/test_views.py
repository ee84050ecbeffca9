"""The plan pages: coordinators record values, analysts read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from alianza.accounts.roles import Role
from alianza.plan.models import Indicator, Measurement
from alianza.plan.services import plan_demo_seed

pytestmark = pytest.mark.django_db


def test_analyst_reads_the_plan(client_for: Callable[..., Client]) -> None:
    plan = plan_demo_seed()
    client = client_for(Role.ANALYST)
    assert client.get("/plan/").status_code == 302  # one plan: straight to it
    html = client.get(f"/plan/{plan.pk}/").content.decode()
    assert "4.1.1" in html and "measurements/" not in html


def test_coordinator_records_a_value_with_evidence(
    client_for: Callable[..., Client], db: Any
) -> None:
    plan = plan_demo_seed()
    indicator = Indicator.objects.get(goal__axis__plan=plan, code="4.1.2")
    client = client_for(Role.COORDINATOR)
    assert "measurements/" in client.get(f"/plan/{plan.pk}/").content.decode()
    response = client.post(f"/plan/indicators/{indicator.pk}/measurements/",
                           {"year": 2024, "value": "8", "evidence": "Informe 2024"})  # fmt: skip
    assert response.status_code == 302
    assert Measurement.objects.get(indicator=indicator, year=2024).evidence == "Informe 2024"


def test_analyst_cannot_record(client_for: Callable[..., Client], db: Any) -> None:
    plan = plan_demo_seed()
    indicator = Indicator.objects.get(goal__axis__plan=plan, code="4.1.2")
    response = client_for(Role.ANALYST).post(
        f"/plan/indicators/{indicator.pk}/measurements/", {"year": 2024, "value": "8"}
    )
    assert response.status_code == 403
