"""Demo data for statistics: population figures, the national plan, and synthetic registry records.

The registry records reproduce the shape the dashboard is meant to explain: cases per year rising
from 463 (2018) to 551 (2022), victims known to two agencies, and flows abroad. They top up the
cases other demo seeds registered, year by year. Every record is invented and marked as a demo
case; nothing is added if demo cases already exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.apps import apps
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from alianza.plan.services import plan_demo_seed
from alianza.stats.models import PersonCluster
from alianza.stats.services import population_demo_seed
from alianza.stats.synthetic import DEMO_CASES_PER_YEAR, INSTITUTIONS, synthetic_data

DEMO_PREFIX = "DEMO-EST"
# The synthetic generator's institutions, as the demo accounts' institutions (short names).
INSTITUTION_SHORT_NAMES = dict(
    zip(INSTITUTIONS, ["FELCC", "FGE", "DP", "FMK", "MINGOB"], strict=True)
)


def demo_stats_seed(*, seed: int = 263) -> dict[str, int]:
    population = population_demo_seed()
    plan_demo_seed()
    cases = _registry_seed(seed=seed) if apps.is_installed("alianza.cases") else 0
    return {"population_figures": population, "cases": cases}


def _registry_seed(*, seed: int) -> int:
    from alianza.accounts.models import Institution
    from alianza.cases.choices import ARTICLES_BY_CRIME
    from alianza.cases.models import Case, ReferenceTerm, RouteEvent
    from alianza.cases.reference import reference_data_load
    from alianza.people.models import Participation, Person
    from alianza.prosecution.models import Proceeding

    if Case.objects.filter(reference__startswith=DEMO_PREFIX).exists():
        return 0
    institutions = {
        i.short_name: i
        for i in Institution.objects.filter(short_name__in=INSTITUTION_SHORT_NAMES.values())
    }
    if len(institutions) < len(INSTITUTION_SHORT_NAMES):
        return 0  # the demo accounts' institutions come first
    if not ReferenceTerm.objects.exists():
        reference_data_load()
    terms = {t.code: t for t in ReferenceTerm.objects.filter(vocabulary="exploitation_form")}
    # Top up what other demo seeds registered, so each year shows the intended total.
    existing = dict(
        Case.objects.annotate(year=ExtractYear("reported_on"))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    per_year = {
        year: max(0, target - existing.get(year, 0)) for year, target in DEMO_CASES_PER_YEAR.items()
    }
    if not sum(per_year.values()):
        return 0
    data = synthetic_data({year: n for year, n in per_year.items() if n}, seed=seed)
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        case_rows: list[Any] = list(data.cases.itertuples())
        objects = [
            Case(reference=f"{DEMO_PREFIX}-{row.year}-{row.case_id:06d}", crime_type=row.crime_type,
                 legal_article=ARTICLES_BY_CRIME[row.crime_type][0],
                 owner_institution=institutions[INSTITUTION_SHORT_NAMES[row.institution]],
                 reported_on=dt.date(int(row.year), int(rng.integers(1, 13)), int(rng.integers(1, 29))),
                 department=row.department, source="complaint",
                 narrative="Caso sintético de demostración para las estadísticas.")
            for row in case_rows
        ]  # fmt: skip
        Case.objects.bulk_create(objects, batch_size=2000)
        case_ids = dict(
            Case.objects.filter(reference__startswith=DEMO_PREFIX).values_list("reference", "pk")
        )
        case_pk = {
            row.case_id: case_ids[f"{DEMO_PREFIX}-{row.year}-{row.case_id:06d}"]
            for row in case_rows
        }
        institution_of_case = {row.case_id: row.institution for row in case_rows}

        parts: list[Any] = list(data.participants.itertuples())
        persons = [
            Person(sex=p.sex or "", citizenships=[p.citizenship] if p.citizenship else [],
                   owner_institution=institutions[INSTITUTION_SHORT_NAMES[institution_of_case[p.case_id]]],
                   given_names="", first_surname="", source_record_id=f"{DEMO_PREFIX}-{p.person_id}")
            for p in parts
        ]  # fmt: skip
        Person.objects.bulk_create(persons, batch_size=2000)
        person_pk = dict(
            Person.objects.filter(source_record_id__startswith=DEMO_PREFIX).values_list(
                "source_record_id", "pk"
            )
        )
        participations = [
            Participation(case_id=case_pk[p.case_id], person_id=person_pk[f"{DEMO_PREFIX}-{p.person_id}"], role=p.role,
                          age_when_trafficked=None if p.role != "victim" or np.isnan(p.age) else int(p.age))
            for p in parts
        ]  # fmt: skip
        Participation.objects.bulk_create(participations, batch_size=2000)
        suspects = Participation.objects.filter(
            case__reference__startswith=DEMO_PREFIX, role="suspect"
        )
        stage_of = {
            person_pk[f"{DEMO_PREFIX}-{p.person_id}"]: _stage(p)
            for p in parts
            if p.role == "suspect"
        }
        Proceeding.objects.bulk_create(
            [
                Proceeding(participation_id=pk, stage=stage_of[person])
                for pk, person in suspects.values_list("pk", "person_id")
            ],
            batch_size=2000,
        )
        RouteEvent.objects.bulk_create(
            [RouteEvent(case_id=case_pk[r.case_id], position=r.position, event_type=r.event_type, country=r.country)
             for r in _rows(data.route)],
            batch_size=2000,
        )  # fmt: skip
        through = Case.exploitation_forms.through
        through.objects.bulk_create(
            [through(case_id=case_pk[e.case_id], referenceterm_id=terms[e.form].pk)
             for e in _rows(data.exploitation) if e.form in terms],
            batch_size=2000, ignore_conflicts=True,
        )  # fmt: skip
        PersonCluster.objects.bulk_create(
            [PersonCluster(person_id=person_pk[f"{DEMO_PREFIX}-{c.person_id}"], cluster_id=f"demo-{c.cluster_id}")
             for c in _rows(data.clusters)],
            batch_size=2000, ignore_conflicts=True,
        )  # fmt: skip
    return len(objects)


def _rows(frame: Any) -> list[Any]:
    return list(frame.itertuples())


def _stage(participant: Any) -> str:
    if participant.convicted:
        return "convicted"
    return "prosecuted" if participant.prosecuted else "investigated"
