"""The registry adapter: what the case registry holds, as the indicator engine counts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alianza.accounts.tests.factories import InstitutionFactory
from alianza.cases.models import ReferenceTerm
from alianza.cases.tests.factories import (
    CaseFactory,
    ParticipationFactory,
    PersonFactory,
    RouteEventFactory,
)
from alianza.prosecution.models import Proceeding
from alianza.stats.indicators import engine_for
from alianza.stats.models import PersonCluster
from alianza.stats.registry import RegistrySource

pytestmark = pytest.mark.django_db


def test_victim_recorded_by_police_and_ngo(db: Any) -> None:
    police, ngo = InstitutionFactory(short_name="FELCC"), InstitutionFactory(short_name="ONG")
    form = ReferenceTerm.objects.create(vocabulary="exploitation_form", code="sexual_exploitation",
                                        label_es="Explotación sexual", label_en="Sexual exploitation", label_pt="x")  # fmt: skip
    police_case = CaseFactory(
        owner_institution=police, reported_on=dt.date(2023, 5, 2), department="BO-L"
    )
    ngo_case = CaseFactory(
        owner_institution=ngo, reported_on=dt.date(2023, 7, 9), department="BO-S"
    )
    police_case.exploitation_forms.add(form)
    ana_police = ParticipationFactory(case=police_case, person=PersonFactory(owner_institution=police, citizenships=["BOL"]),
                                      age_when_trafficked=16)  # fmt: skip
    ana_ngo = ParticipationFactory(
        case=ngo_case, person=PersonFactory(owner_institution=ngo), age_when_trafficked=16
    )
    suspect = ParticipationFactory(
        case=police_case, role="suspect", person=PersonFactory(owner_institution=police, sex="M")
    )
    Proceeding.objects.create(participation=suspect, stage="convicted")
    RouteEventFactory(case=police_case, position=1, event_type="Recruitment", country="BOL")
    RouteEventFactory(case=police_case, position=2, event_type="Exploitation", country="ARG")

    source = RegistrySource()
    before = source.version()
    PersonCluster.objects.create(person_id=ana_police.person_id, cluster_id="ana")
    PersonCluster.objects.create(person_id=ana_ngo.person_id, cluster_id="ana")
    assert source.version() != before

    with engine_for(source.load()) as engine:
        totals = engine.totals(year=2023)
        assert totals["victims"] == (2, 1)
        assert totals["cases"] == (2, 2)
        assert totals["convicted"] == (1, 1) and totals["prosecuted"] == (1, 1)
        by_institution = {
            r.category: r.raw for r in engine.breakdown(year=2023, by="institution").itertuples()
        }
        assert by_institution == {"FELCC": 1, "ONG": 1}
        girls = engine.breakdown(year=2023, by="sex_age").set_index("category").loc["girls"]
        assert (girls["raw"], girls["deduplicated"]) == (2, 1)
        forms = {
            r.category: r.deduplicated
            for r in engine.breakdown(year=2023, by="exploitation").itertuples()
        }
        assert forms == {"sexual_exploitation": 1}
        flows = engine.flows(year=2023)
        assert list(zip(flows["origin"], flows["destination"], flows["raw"], strict=True)) == [
            ("BOL", "ARG", 1)
        ]


def test_forms_recorded_on_the_victim_count(db: Any) -> None:
    form = ReferenceTerm.objects.create(vocabulary="exploitation_form", code="forced_labour",
                                        label_es="Trabajo forzoso", label_en="Forced labour", label_pt="x")  # fmt: skip
    victim = ParticipationFactory(case=CaseFactory(reported_on=dt.date(2023, 1, 5)))
    victim.exploitation_forms.add(form)
    with engine_for(RegistrySource().load()) as engine:
        assert list(engine.breakdown(year=2023, by="exploitation")["category"]) == ["forced_labour"]


def test_empty_registry(db: Any) -> None:
    with engine_for(RegistrySource().load()) as engine:
        assert engine.totals(year=2023)["victims"] == (0, 0)
        assert engine.yearly_counts().empty


def test_every_write_raises_the_data_version(db: Any) -> None:
    source = RegistrySource()
    seen = {source.version()}
    case = CaseFactory(reported_on=dt.date(2023, 2, 1))
    seen.add(source.version())
    victim = ParticipationFactory(case=case)
    seen.add(source.version())
    victim.age_when_trafficked = 15
    victim.save(update_fields=["age_when_trafficked"])
    seen.add(source.version())
    RouteEventFactory(case=case, position=1, event_type="Exploitation", country="PER")
    seen.add(source.version())
    victim.delete()
    seen.add(source.version())
    assert len(seen) == 6


def test_cached_dashboard_is_never_stale(db: Any, make_user: Any) -> None:
    from alianza.accounts.roles import Role
    from alianza.stats.selectors import dashboard_data

    analyst = make_user(Role.ANALYST)
    analyst.is_verified = lambda: True
    case = CaseFactory(reported_on=dt.date(2023, 2, 1))
    ParticipationFactory(case=case)

    def victims() -> int:
        data = dashboard_data(acting_user=analyst, year=2023)
        return next(h["deduplicated"] for h in data["headline"] if h["key"] == "victims")

    assert victims() == 1
    assert victims() == 1  # from the cache
    ParticipationFactory(case=case)
    assert victims() == 2


@pytest.mark.django_db(transaction=True)
def test_load_outside_a_transaction_reads_one_snapshot() -> None:
    from django.db import connection

    CaseFactory(reported_on=dt.date(2023, 3, 3))
    assert not connection.in_atomic_block
    data = RegistrySource().load(2023)
    assert len(data.cases) == 1
    assert not connection.in_atomic_block


def test_without_its_triggers_the_version_never_repeats(db: Any) -> None:
    from django.db import connection

    from alianza.stats.registry import data_version

    CaseFactory(reported_on=dt.date(2023, 3, 3))
    assert data_version() == data_version()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute('DROP TRIGGER stats_data_version_cases_routeevent ON "cases_routeevent"')
        else:
            cursor.execute("DROP TRIGGER stats_data_version_cases_routeevent_insert")
    assert data_version() != data_version()
