"""The demo's statistics: the registry shows UNODC's 463 cases in 2018 and 551 in 2022."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alianza.accounts.demo import demo_accounts_seed
from alianza.cases.tests.factories import CaseFactory
from alianza.plan.models import Plan
from alianza.stats.demo import demo_stats_seed
from alianza.stats.indicators import engine_for
from alianza.stats.registry import RegistrySource
from alianza.stats.synthetic import DEMO_CASES_PER_YEAR


@pytest.mark.django_db
def test_demo_seed_fills_the_registry_once(db: Any) -> None:
    demo_accounts_seed()
    CaseFactory.create_batch(3, reported_on=dt.date(2018, 6, 1))  # another demo seed's cases
    first = demo_stats_seed()
    assert first["cases"] == sum(DEMO_CASES_PER_YEAR.values()) - 3
    assert demo_stats_seed()["cases"] == 0
    assert Plan.objects.count() == 1
    with engine_for(RegistrySource().load()) as engine:
        totals = {year: engine.totals(year=year) for year in (2018, 2022)}
    assert totals[2018]["cases"] == (463, 463) and totals[2022]["cases"] == (551, 551)
    raw, dedup = totals[2022]["victims"]
    assert raw > dedup > 0  # victims known to two agencies
    assert totals[2022]["convicted"][0] > 0
