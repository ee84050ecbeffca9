"""The fact tables equal a recomputation from the registry after every kind of write.

Each test writes through a different path (the ORM one row at a time, bulk writes, the case
import, raw SQL, deferred foreign keys, TRUNCATE, concurrent transactions) and then compares
every fact the indicator engine reads with what the registry tables give when read directly,
and the year versions that changed with the years the write touched.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.db import connection, transaction
from django.utils import timezone

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.cases.models import Case, ReferenceTerm, RouteEvent
from alianza.cases.tests.factories import (
    CaseFactory,
    ParticipationFactory,
    PersonFactory,
    RouteEventFactory,
)
from alianza.people.models import Participation, Person
from alianza.prosecution.models import Proceeding
from alianza.stats import facts, services
from alianza.stats.indicators import (
    _COLUMNS,
    BREAKDOWNS,
    MEASURES,
    StatsData,
    YearFigures,
    all_indicators,
    engine_for,
)
from alianza.stats.models import ParticipantFact, PersonCluster, StatsCell, StatsVersion
from alianza.stats.registry import (
    RegistrySource,
    _fact_reads,
    _read,
    _read_sql,
    cell_figures,
    facts_flush,
    facts_in_place,
    year_versions,
)

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL behaviour"
)


def from_registry() -> StatsData:
    source = RegistrySource()
    frames = {name: _read(qs, **columns) for name, (qs, columns) in source._reads(None).items()}
    return source._assemble(frames)


def from_facts() -> StatsData:
    facts_flush()
    frames = {name: _read_sql(*read) for name, read in _fact_reads(None).items()}
    return RegistrySource._assemble_facts(frames)


def _value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer) or (isinstance(value, float) and value.is_integer()):
        return int(value)
    return value


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    values = [
        tuple(_value(v) for v in row) for row in frame[columns].itertuples(index=False, name=None)
    ]
    return sorted(values, key=repr)


def assert_in_step() -> None:
    """Every fact equals the registry read from scratch, and so do the figures of every year."""
    assert facts_in_place()
    expected, got = from_registry(), from_facts()
    # Clusters of persons in no case count nowhere; the facts keep only those of participants.
    linked = expected.clusters["person_id"].isin(expected.participants["person_id"])
    expected.clusters = expected.clusters[linked]
    for table, columns in _COLUMNS.items():
        assert rows(getattr(got, table), list(columns)) == rows(
            getattr(expected, table), list(columns)
        ), table
    facts_flush()
    clusters = dict(PersonCluster.objects.values_list("person_id", "cluster_id"))
    participations = Participation.objects.values_list("id", "person_id")
    assert {p: clusters.get(person) for p, person in participations} == dict(
        ParticipantFact.objects.values_list("participation_id", "cluster_id")
    )
    # Each year as the statistics load it: by range, with the clusters of its own participants;
    # and its figures as the triggers keep them, cell by cell.
    years = sorted({int(y) for y in expected.cases["year"]})
    with engine_for(expected) as recomputed:
        for year in years:
            assert_same_figures(cell_figures(year), recomputed.year_figures(year=year))
        assert not StatsCell.objects.exclude(year__in=years).exclude(raw=0, dedup=0).exists()
        counts = recomputed.yearly_counts()
        trend, versions = RegistrySource().trend_versioned()
        assert sorted(versions) == years
        pd.testing.assert_frame_equal(
            trend,
            counts[counts["measure"].isin(["cases", "victims"])].reset_index(drop=True),
            check_dtype=False,
        )
        for year in years:
            with engine_for(RegistrySource().load(year)) as kept:
                a, b = all_indicators(recomputed, year=year), all_indicators(kept, year=year)
            assert a["totals"] == b["totals"]
            for key in a:
                if key != "totals":
                    pd.testing.assert_frame_equal(a[key], b[key], check_dtype=False)


def assert_same_figures(got: YearFigures, expected: YearFigures) -> None:
    year = expected.year
    assert got.totals(year=year) == expected.totals(year=year), year
    pd.testing.assert_frame_equal(
        got.flows(year=year), expected.flows(year=year), check_dtype=False
    )
    for measure in MEASURES:
        for by in BREAKDOWNS:
            if measure == "cases" and by in ("sex_age", "sex", "citizenship"):
                continue
            pd.testing.assert_frame_equal(
                got.breakdown(year=year, by=by, measure=measure),
                expected.breakdown(year=year, by=by, measure=measure),
                check_dtype=False,
                obj=f"{year} {measure} by {by}",
            )


def as_cells(year: int, measure: str, by: str) -> dict[str, tuple[int, int]]:
    facts_flush()
    frame = cell_figures(year).breakdown(year=year, by=by, measure=measure)
    return {
        r.category: (r.raw, r.deduplicated) for r in frame.itertuples() if r.raw or r.deduplicated
    }


def counters() -> dict[str, int]:
    facts_flush()
    return dict(StatsVersion.objects.values_list("scope", "counter"))


def changed(write: Callable[[], Any]) -> set[str]:
    """Run `write`, check the facts, and return the version scopes it raised."""
    before = counters()
    write()
    assert_in_step()
    after = counters()
    return {scope for scope, counter in after.items() if counter != before.get(scope)}


@pytest.fixture
def forms(db: Any) -> tuple[ReferenceTerm, ReferenceTerm]:
    def term(code: str) -> ReferenceTerm:
        return ReferenceTerm.objects.create(vocabulary="exploitation_form", code=code,
                                            label_es=code, label_en=code, label_pt=code)  # fmt: skip

    return term("sexual_exploitation"), term("forced_labour")


def test_each_write_rewrites_the_facts_of_its_year(
    forms: tuple[ReferenceTerm, ReferenceTerm],
) -> None:
    sexual, labour = forms
    police = InstitutionFactory(short_name="FELCC")
    a: Any = None
    assert changed(lambda: None) == set()

    def create() -> None:
        nonlocal a
        a = CaseFactory(
            owner_institution=police, reported_on=dt.date(2022, 5, 1), department="BO-L"
        )

    assert changed(create) == {"2022"}
    ana = PersonFactory(owner_institution=police, sex="F", citizenships=["BOL"])
    victim: Any = None

    def add_victim() -> None:
        nonlocal victim
        victim = ParticipationFactory(case=a, person=ana, age_when_trafficked=16)

    assert changed(add_victim) == {"2022"}
    suspect = ParticipationFactory(
        case=a, role="suspect", person=PersonFactory(owner_institution=police, sex="M")
    )

    def sex() -> None:
        ana.sex = "M"
        ana.save()

    assert changed(sex) == {"2022"}

    def citizenship() -> None:
        ana.citizenships = ["PER", "BOL"]
        ana.save()

    assert changed(citizenship) == {"2022"}

    def age() -> None:
        victim.age_when_trafficked = 19
        victim.save()

    assert changed(age) == {"2022"}
    proceeding: Any = None

    def prosecute() -> None:
        nonlocal proceeding
        proceeding = Proceeding.objects.create(participation=suspect, stage="prosecuted")

    assert changed(prosecute) == {"2022"}

    def convict() -> None:
        proceeding.stage = "convicted"
        proceeding.save()

    assert changed(convict) == {"2022"}
    assert changed(
        lambda: RouteEventFactory(case=a, position=1, event_type="Recruitment", country="BOL")
    ) == {"2022"}
    destination = RouteEventFactory(case=a, position=2, event_type="Exploitation", country="ARG")

    def move_destination() -> None:
        destination.country = "CHL"
        destination.save()

    assert changed(move_destination) == {"2022"}
    assert changed(lambda: a.exploitation_forms.add(sexual)) == {"2022"}
    assert changed(lambda: victim.exploitation_forms.add(labour, sexual)) == {"2022"}
    assert changed(lambda: a.exploitation_forms.remove(sexual)) == {
        "2022"
    }  # the victim's form remains
    assert changed(lambda: victim.exploitation_forms.clear()) == {"2022"}

    # A write that changes nothing counted raises nothing.
    def narrative() -> None:
        a.narrative = "Otro relato sintético."
        a.save()

    assert changed(narrative) == set()

    def names() -> None:
        ana.given_names = "Ana Rosa"
        ana.save()

    assert changed(names) == set()

    # Ana is also a victim in a 2023 case: her sex changes both years.
    b = CaseFactory(owner_institution=police, reported_on=dt.date(2023, 2, 2))
    ParticipationFactory(case=b, person=ana)

    def sex_again() -> None:
        ana.sex = "F"
        ana.save()

    assert changed(sex_again) == {"2022", "2023"}

    def move_suspect() -> None:
        suspect.case = b
        suspect.save()

    assert changed(move_suspect) == {"2022", "2023"}

    def report_later() -> None:
        a.reported_on = dt.date(2024, 1, 3)
        a.save()

    assert changed(report_later) == {"2022", "2024"}
    assert not RegistrySource().versions().get(2022)  # no case left in 2022

    def rename() -> None:
        police.short_name = "Policía"
        police.save()

    assert changed(rename) == {"2023", "2024"}  # the years of its cases
    # Rosa, recorded after Ana in 2023, is Ana: the person's sex is Ana's (the first known), her
    # age Rosa's (Ana's is unknown there).
    rosa = PersonFactory(owner_institution=police, sex="M", citizenships=["PER"])
    ParticipationFactory(case=b, person=rosa, age_when_trafficked=30)
    clusters = {ana.pk: "ana", rosa.pk: "ana"}
    assert changed(lambda: services.person_clusters_replace(acting_user=None, clusters=clusters)) == {
        "2023", "2024",
    }  # fmt: skip
    assert as_cells(2023, "victims", "sex_age") == {
        "women": (0, 1),
        "men": (1, 0),
        "unknown": (1, 0),
    }
    assert changed(proceeding.delete) == {"2023"}
    assert changed(destination.delete) == {"2024"}
    assert changed(victim.delete) == {"2024"}
    assert changed(b.delete) == {"2023"}
    assert changed(a.delete) == {"2024"}
    assert not from_facts().cases.size


def test_a_referral_raises_the_year_of_its_victim(make_user: Callable[..., Any]) -> None:
    from alianza.protection.models import Referral

    user = make_user(Role.CASE_WORKER)
    victim = ParticipationFactory(case=CaseFactory(reported_on=dt.date(2021, 3, 3)))
    now = timezone.now()
    assert changed(lambda: Referral.objects.create(
        participation=victim, kind="transnational", partner_country="ARG", from_institution=user.institution,
        reason="shelter", consent_override_reason="Synthetic test: urgent protection.",
        proposed_at=now, first_contact_due_at=now, created_by=user,
    )) == {"2021"}  # fmt: skip


def test_bulk_writes_and_raw_sql_keep_the_facts_in_step(
    forms: tuple[ReferenceTerm, ReferenceTerm],
) -> None:
    sexual, labour = forms
    institution = InstitutionFactory()
    cases = Case.objects.bulk_create(
        CaseFactory.build(owner_institution=institution, reported_on=dt.date(2020 + n % 3, 1 + n % 12, 1),
                          reference=f"BULK-{n:04d}")
        for n in range(30)
    )  # fmt: skip
    persons = Person.objects.bulk_create(
        PersonFactory.build(owner_institution=institution, sex="MF"[n % 2], citizenships=[["BOL"], ["PER"]][n % 2])
        for n in range(40)
    )  # fmt: skip
    participations = Participation.objects.bulk_create(
        Participation(case=cases[n % 30], person=persons[n], role=["victim", "suspect"][n % 2],
                      age_when_trafficked=10 + n)
        for n in range(40)
    )  # fmt: skip
    Proceeding.objects.bulk_create(
        Proceeding(participation=p, stage="convicted")
        for p in participations
        if p.role == "suspect"
    )
    RouteEvent.objects.bulk_create(
        RouteEvent(case=c, position=1, event_type="Exploitation", country="ARG") for c in cases[:20]
    )
    Case.exploitation_forms.through.objects.bulk_create(
        Case.exploitation_forms.through(case=c, referenceterm=sexual) for c in cases[::2]
    )
    Participation.exploitation_forms.through.objects.bulk_create(
        Participation.exploitation_forms.through(participation=p, referenceterm=labour)
        for p in participations[::3]
    )
    assert_in_step()
    assert changed(lambda: Person.objects.filter(sex="F").update(sex="M")) == {
        "2020",
        "2021",
        "2022",
    }
    assert changed(lambda: Participation.objects.filter(case__in=cases[:3]).update(case=cases[3])) == {
        "2020", "2021", "2022",
    }  # fmt: skip
    assert changed(lambda: Case.objects.filter(reported_on__year=2021).update(reported_on=dt.date(2019, 6, 6))) == {
        "2021", "2019",
    }  # fmt: skip
    assert changed(lambda: Proceeding.objects.filter(stage="convicted").update(stage="acquitted")) == {
        "2020", "2019", "2022",
    }  # fmt: skip

    def raw_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{RouteEvent._meta.db_table}" SET country = %s', ["PER"])  # noqa: S608
            forms = Participation.exploitation_forms.through._meta.db_table
            cursor.execute(f'DELETE FROM "{forms}"')  # noqa: S608

    assert changed(raw_sql) == {"2019", "2020", "2022"}

    def bulk_delete() -> None:
        Proceeding.objects.all().delete()
        Case.objects.filter(reported_on__year=2022).delete()

    assert changed(bulk_delete) == {"2019", "2020", "2022"}


@pytest.mark.parametrize("chunks", [None, (2, 3)], ids=["one-chunk", "small-chunks"])
def test_the_case_import_keeps_the_facts_in_step(
    make_user: Callable[..., Any], chunks: tuple[int, int] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alianza.cases import imports
    from alianza.cases.imports import cases_import

    if chunks is not None:  # on PostgreSQL the statistics are then flushed after each chunk
        monkeypatch.setattr(imports, "FIRST_CHUNK", chunks[0])
        monkeypatch.setattr(imports, "WRITE_BATCH", chunks[1])
    from alianza.cases.reference import reference_data_load

    reference_data_load()
    rows = [
        {"source_record_id": f"IMP-{n}", "crime_type": "trafficking", "reported_on": f"202{n % 3}-03-0{1 + n % 9}",
         "department": "BO-L", "source": "complaint", "exploitation_forms": "sexual_exploitation",
         "victim_given_names": "Rosa", "victim_first_surname": "Ticona", "victim_sex": "F",
         "victim_nationality": "BOL", "suspect_given_names": "Juan", "suspect_first_surname": "Apaza",
         "destination_country": "ARG"}
        for n in range(12)
    ]  # fmt: skip
    report = cases_import(acting_user=make_user(Role.INVESTIGATOR), rows=rows)
    assert report.created == 12, report.problems
    assert_in_step()
    assert len(from_facts().participants) == 24


def test_records_may_arrive_before_their_case_in_one_transaction() -> None:
    institution = InstitutionFactory()
    with transaction.atomic():  # foreign keys are checked at commit
        Participation.objects.bulk_create(
            [Participation(id=9001, case_id=7001, person_id=8001, role="victim")]
        )
        Proceeding.objects.bulk_create([Proceeding(participation_id=9001, stage="charged")])
        Person.objects.bulk_create(
            [PersonFactory.build(id=8001, owner_institution=institution, sex="F")]
        )
        Case.objects.bulk_create([CaseFactory.build(id=7001, owner_institution=institution,
                                                    reported_on=dt.date(2023, 8, 8))])  # fmt: skip
    assert_in_step()
    assert len(from_facts().participants) == 1


def test_missing_triggers_are_noticed_and_put_back() -> None:
    case = CaseFactory(reported_on=dt.date(2023, 4, 4))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute('DROP TRIGGER stats_fact_person_update ON "people_person"')
        else:
            cursor.execute("DROP TRIGGER stats_fact_person_update")
    assert not facts_in_place()
    assert year_versions([2023]) != year_versions([2023])  # nothing is cached meanwhile
    victim = ParticipationFactory(case=case)
    Person.objects.filter(pk=victim.person_id).update(sex="M")  # reaches no fact
    data = RegistrySource().load(2023)  # the registry is read directly
    assert list(data.participants["sex"]) == ["M"]
    assert facts.ensure(connection)
    assert_in_step()
    assert not facts.ensure(connection)


@postgresql_only
def test_truncate_rebuilds_the_facts() -> None:
    case = CaseFactory(reported_on=dt.date(2023, 4, 4))
    suspect = ParticipationFactory(case=case, role="suspect")
    Proceeding.objects.create(participation=suspect, stage="convicted")
    before = counters()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key check pending
        cursor.execute(f'TRUNCATE "{Proceeding._meta.db_table}"')
    assert_in_step()
    assert counters()["all"] != before.get("all")
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{Case._meta.db_table}" CASCADE')
    assert_in_step()
    assert not from_facts().participants.size


WRITERS = ("people_participation", "people_person")


@pytest.fixture
def without_data_version() -> Iterator[None]:
    """Without the data version's triggers, whose one row would make every writer wait anyway.

    They bump one counter row per write, so on PostgreSQL two writing transactions already take
    turns; the facts must not depend on that. The rows written are removed afterwards.
    """
    with connection.cursor() as cursor:
        for table in WRITERS:
            cursor.execute(f'DROP TRIGGER stats_data_version_{table} ON "{table}"')
    yield
    with connection.cursor() as cursor:
        for table in WRITERS:
            cursor.execute(
                f"CREATE TRIGGER stats_data_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION stats_data_version_bump()'
            )
        cursor.execute('TRUNCATE "people_participation", "people_person", "cases_case" CASCADE')


def race(first: Callable[[], Any], second: Callable[[], Any]) -> None:
    """Run `first` in a transaction, and `second` in another before the first commits."""
    finished = threading.Event()
    errors: list[BaseException] = []

    def other() -> None:
        try:
            with transaction.atomic():
                second()
        except BaseException as exc:  # noqa: BLE001 (reported by the caller)
            errors.append(exc)
        finally:
            finished.set()
            connection.close()

    with transaction.atomic():
        first()
        thread = threading.Thread(target=other)
        thread.start()
        deadline = time.monotonic() + 5
        while (
            time.monotonic() < deadline
            and not finished.is_set()
            and not _someone_waits_for_a_lock()
        ):
            time.sleep(0.05)
    thread.join(10)
    assert not errors


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_person_update_and_new_participation(without_data_version: None) -> None:
    """T1 changes a person's sex; T2 adds the person to another case before T1 commits.

    T2's rewrite cannot see T1's uncommitted change, so it must wait for T1 before reading the
    person; otherwise the new participation's fact keeps the old sex.
    """
    first, second = (
        CaseFactory(reported_on=dt.date(2022, 1, 1)),
        CaseFactory(reported_on=dt.date(2023, 1, 1)),
    )
    person = PersonFactory(sex="F")
    ParticipationFactory(case=first, person=person)
    race(lambda: Person.objects.filter(pk=person.pk).update(sex="M"),
         lambda: ParticipationFactory(case=second, person=person))  # fmt: skip
    assert_in_step()
    assert set(from_facts().participants["sex"]) == {"M"}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_cluster_and_new_participation(without_data_version: None) -> None:
    """Linkage puts a person in a cluster while another transaction adds the person to a case."""
    first, second = (
        CaseFactory(reported_on=dt.date(2022, 1, 1)),
        CaseFactory(reported_on=dt.date(2023, 1, 1)),
    )
    person = PersonFactory()
    ParticipationFactory(case=first, person=person)
    before = counters()
    race(lambda: PersonCluster.objects.create(person_id=person.pk, cluster_id="linked"),
         lambda: ParticipationFactory(case=second, person=person))  # fmt: skip
    assert_in_step()
    after = counters()
    assert after["2022"] > before["2022"] and after["2023"] > before.get("2023", 0)


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return bool(cursor.fetchone()[0])


def test_a_write_marks_and_the_next_read_rewrites_first() -> None:
    """Within the writing transaction (on SQLite, until any read), what changed is only marked."""
    from alianza.stats.models import PendingMark

    case, person = CaseFactory(reported_on=dt.date(2023, 4, 4)), PersonFactory()
    services.stats_versions()
    assert not PendingMark.objects.exists()
    ParticipationFactory(case=case, person=person)
    assert list(PendingMark.objects.values_list("kind", "id")) == [("case", case.pk)]
    assert services.year_figures(year=2023).totals(year=2023)["victims"] == (1, 1)
    assert not PendingMark.objects.exists()


def test_a_new_person_marks_nothing_until_a_participation_names_them() -> None:
    """A new person is in no case yet: the participation that names them marks its case, and an
    update of the person marks them."""
    from alianza.stats.models import PendingMark

    case = CaseFactory(reported_on=dt.date(2023, 4, 4))
    services.stats_versions()
    person = PersonFactory(sex="F")
    assert not PendingMark.objects.exists()
    ParticipationFactory(case=case, person=person)
    assert list(PendingMark.objects.values_list("kind", "id")) == [("case", case.pk)]
    assert services.year_figures(year=2023).totals(year=2023)["victims"] == (1, 1)
    Person.objects.filter(pk=person.pk).update(sex="M")
    assert list(PendingMark.objects.values_list("kind", "id")) == [("person", person.pk)]
    assert_in_step()
    assert as_cells(2023, "victims", "sex") == {"M": (1, 1)}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_flushes_at_commit() -> None:
    from alianza.stats.models import PendingMark, StatsCell

    try:
        with transaction.atomic():
            case = CaseFactory(reported_on=dt.date(2023, 4, 4))
            ParticipationFactory(case=case)
            assert PendingMark.objects.exists()
        assert not PendingMark.objects.exists()  # committed: flushed by the deferred trigger
        cell = StatsCell.objects.get(year=2023, measure="victims", breakdown="total", category="")
        assert (cell.raw, cell.dedup) == (1, 1)
    finally:
        with connection.cursor() as cursor:
            cursor.execute('TRUNCATE "people_participation", "people_person", "cases_case" CASCADE')
