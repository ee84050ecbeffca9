"""The demo's statistics: the registry shows UNODC's 463 cases in 2018 and 551 in 2022."""

from __future__ import annotations

from typing import Any

import pytest

from alianza.accounts.demo import demo_accounts_seed
from alianza.cases.demo import demo_cases_seed
from alianza.linkage.demo import demo_linkage_seed
from alianza.plan.models import Plan
from alianza.stats.demo import demo_stats_seed
from alianza.stats.indicators import engine_for
from alianza.stats.models import PopulationFigure
from alianza.stats.registry import RegistrySource


@pytest.mark.django_db(transaction=True)
def test_the_demo_registry_shows_the_public_trend_and_the_victims_two_agencies_know(db: Any) -> None:
    demo_accounts_seed()
    demo_cases_seed()
    first = demo_stats_seed()
    assert first["population_figures"] > 0 and PopulationFigure.objects.count() == first["population_figures"]
    assert demo_stats_seed()["population_figures"] == 0
    assert Plan.objects.count() == 1
    demo_linkage_seed()  # clusters the victims that two agencies recorded
    with engine_for(RegistrySource().load()) as engine:
        totals = {year: engine.totals(year=year) for year in (2018, 2022, 2025)}
    assert totals[2018]["cases"] == (463, 463) and totals[2022]["cases"] == (551, 551)
    assert totals[2025]["cases"][0] > totals[2022]["cases"][0]
    raw, dedup = totals[2022]["victims"]
    assert raw > dedup > 0.75 * raw  # twins counted once; the rest are distinct people
    assert totals[2022]["convicted"][0] > 0
