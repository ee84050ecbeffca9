from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from alianza.accounts.demo import demo_accounts_seed
from alianza.cases.demo import DEMO_CASES, TWIN_SHARE, YEAR_TREND, demo_cases_seed, year_plan
from alianza.cases.models import Case, CaseShare, RouteEvent
from alianza.people.models import Participation

pytestmark = pytest.mark.django_db


def test_demo_world_is_realistic_deterministic_and_idempotent(db: Any) -> None:
    demo_accounts_seed()
    created = demo_cases_seed(seed=7, n_cases=400)
    assert 360 <= created <= 440  # including records of the same events by a second agency
    assert demo_cases_seed(seed=7, n_cases=400) == 0
    by_year = Counter(Case.objects.values_list("reported_on__year", flat=True))
    assert by_year == {year: originals + twins for year, (originals, twins) in year_plan(400).items()}
    assert by_year[2018] < by_year[2022] < by_year[2025]
    victims = Participation.objects.filter(role="victim").select_related("person")
    sexes = Counter(v.person.sex for v in victims)
    assert sexes["F"] > 2 * sexes["M"]
    assert Counter(v.person.citizenships[0] for v in victims).most_common(1)[0][0] == "BOL"
    destinations = set(RouteEvent.objects.filter(event_type="Exploitation").values_list("country", flat=True))
    assert {"ARG", "CHL", "PER", "BRA"} <= destinations
    assert RouteEvent.objects.filter(border_crossing__code__in=["villazon", "desaguadero", "pisiga"]).exists()
    # Police and prosecution share cases with each other; a few cases are restricted.
    assert CaseShare.objects.filter(case__owner_institution__short_name="FELCC", institution__short_name="FGE").exists()
    assert Case.objects.filter(sensitivity="restricted").exists()
    fields = ("source_record_id", "reported_on", "crime_type", "names_text", "search_text")
    first = list(Case.objects.order_by("source_record_id").values_list(*fields)[:20])
    Case.objects.all().delete()
    demo_cases_seed(seed=7, n_cases=400)
    # The same world again; the references go on from the node's sequence, which never reissues one.
    assert [row[:4] for row in Case.objects.order_by("source_record_id").values_list(*fields)[:20]] == [row[:4] for row in first]


def test_the_default_world_counts_each_year_as_the_public_trend() -> None:
    plan = year_plan(DEMO_CASES)
    assert {year: originals + twins for year, (originals, twins) in plan.items()} == YEAR_TREND
    assert plan[2018] == (386, 77) and plan[2022] == (459, 92)  # a fifth of the cases recorded twice
    assert all(abs(twins - TWIN_SHARE * originals) <= 1 for originals, twins in plan.values())
    # With a single agency nobody records a case twice, and the year still has its count.
    assert year_plan(DEMO_CASES, twins=False)[2018] == (463, 0)
