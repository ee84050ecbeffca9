"""Figures cached per year: recomputed only for the years a write touches, and never stale."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from django.core.cache import cache
from django.db import transaction

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.cases.tests.factories import CaseFactory, ParticipationFactory, PersonFactory
from alianza.people.models import Person
from alianza.prosecution.models import Proceeding
from alianza.stats import selectors, services
from alianza.stats.indicators import engine_for
from alianza.stats.registry import RegistrySource
from alianza.stats.tests.test_facts import from_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[int | None]]:
    """How many times the figures of each year were read from the database."""
    cache.clear()
    counted: Counter[int | None] = Counter()
    original = RegistrySource.figures_versioned

    def figures_versioned(self: RegistrySource, year: int) -> Any:
        counted[year] += 1
        return original(self, year)

    monkeypatch.setattr(RegistrySource, "figures_versioned", figures_versioned)
    yield counted
    cache.clear()


def assert_fresh(years: list[int]) -> None:
    """The cached figures and trend equal a recomputation from the registry tables."""
    with engine_for(from_registry()) as engine:
        for year in years:
            cached, scratch = services.year_figures(year=year), engine.year_figures(year=year)
            assert cached.totals(year=year) == scratch.totals(year=year), year
            key = ["measure", "by", "category"]
            pd.testing.assert_frame_equal(
                cached.breakdowns.sort_values(key, ignore_index=True),
                scratch.breakdowns.sort_values(key, ignore_index=True),
            )
            pd.testing.assert_frame_equal(cached.flow_table, scratch.flow_table)
        counts = engine.yearly_counts()
    trend = counts[counts["measure"].isin(["cases", "victims"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(services.stats_trend(), trend, check_dtype=False)


def test_a_write_recomputes_only_the_years_it_touches(loads: Counter[int | None]) -> None:
    police = InstitutionFactory(short_name="FELCC")
    old, new = (
        CaseFactory(owner_institution=police, reported_on=dt.date(y, 3, 1)) for y in (2022, 2023)
    )
    ana = PersonFactory(sex="F", citizenships=["BOL"])
    ParticipationFactory(case=old, person=ana, age_when_trafficked=15)
    suspect = ParticipationFactory(case=new, role="suspect", person=PersonFactory(sex="M"))
    assert_fresh([2022, 2023])
    assert loads == {2022: 1, 2023: 1}
    assert_fresh([2022, 2023])
    assert loads == {2022: 1, 2023: 1}  # from the cache

    def after(write: Callable[[], Any], reloaded: set[int]) -> None:
        before = Counter(loads)
        write()
        assert_fresh([2022, 2023])
        assert {year for year in loads if loads[year] != before[year]} == reloaded

    after(lambda: ParticipationFactory(case=new, person=PersonFactory()), {2023})
    after(lambda: Proceeding.objects.create(participation=suspect, stage="convicted"), {2023})
    after(lambda: Person.objects.filter(pk=ana.pk).update(sex="M"), {2022})
    after(lambda: ParticipationFactory(case=new, person=ana), {2023})  # Ana is now in both years
    after(
        lambda: services.person_clusters_replace(acting_user=None, clusters={ana.pk: "ana"}),
        {2022, 2023},
    )

    def rename() -> None:
        police.short_name = "Policía"
        police.save()

    after(rename, {2022, 2023})

    def move() -> None:
        old.reported_on = dt.date(2023, 12, 31)
        old.save()

    after(move, {2022, 2023})
    after(lambda: new.delete(), {2023})


def test_the_dashboard_and_plan_follow_each_write(make_user: Callable[..., Any]) -> None:
    from alianza.plan.selectors import current_plan, indicator_rows
    from alianza.plan.services import plan_demo_seed

    cache.clear()
    plan_demo_seed()
    analyst = make_user(Role.ANALYST)
    analyst.is_verified = lambda: True
    case = CaseFactory(reported_on=dt.date(2023, 2, 1))
    ParticipationFactory(case=case)
    other = CaseFactory(reported_on=dt.date(2022, 2, 1))

    def shown() -> tuple[int, list[Any], Any]:
        data = selectors.dashboard_data(acting_user=analyst, year=2023)
        victims = next(h["deduplicated"] for h in data["headline"] if h["key"] == "victims")
        trend = next(c for c in data["charts"] if c["key"] == "trend")["rows"]
        row = next(
            r
            for r in indicator_rows(current_plan())
            if r.indicator.computation == "victims_identified"
        )
        return victims, trend, (data["plan"], row.values[2022], row.values[2023])

    victims, trend, plan = shown()
    assert victims == 1 and trend == [[2022, 1, 0, 0], [2023, 1, 1, 1]]
    assert shown() == (victims, trend, plan)
    ParticipationFactory(case=other)  # another year: the trend changes, the year shown does not
    victims, trend, plan = shown()
    assert victims == 1 and trend == [[2022, 1, 1, 1], [2023, 1, 1, 1]] and plan[1:] == (1, 1)
    second = ParticipationFactory(case=case)
    victims, trend, plan = shown()
    assert victims == 2 and trend[1] == [2023, 1, 2, 2]
    assert plan[1:] == (1, 2)  # "victims identified", computed from each year's figures
    services.person_clusters_replace(
        acting_user=None,
        clusters={second.person_id: "x", case.participations.first().person_id: "x"},
    )
    victims, trend, _ = shown()
    assert victims == 1 and trend[1] == [2023, 1, 2, 1]


class _RolledBack(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_no_cached_figures_behind() -> None:
    """Figures read (and cached) inside a transaction that then rolls back must not be served
    after a later write raises the year's counter to the same number."""
    cache.clear()
    case = CaseFactory(reported_on=dt.date(2023, 2, 1))
    ParticipationFactory(case=case, person=PersonFactory(sex="F"))

    def by_sex() -> dict[str, int]:
        frame = services.year_figures(year=2023).breakdown(year=2023, by="sex")
        return {r.category: r.raw for r in frame.itertuples() if r.raw}

    assert by_sex() == {"F": 1}
    try:
        with transaction.atomic():
            ParticipationFactory(case=case, person=PersonFactory(sex="M"))
            assert by_sex() == {"F": 1, "M": 1}
            raise _RolledBack
    except _RolledBack:
        pass
    ParticipationFactory(case=case, person=PersonFactory(sex="F"))
    assert by_sex() == {"F": 2}
    cache.clear()
