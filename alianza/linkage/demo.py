"""Linkage for the demo: a registry-wide run, so the review queue and the person clusters have
content, and a few synthetic missing-person reports that match victims recorded by the police,
so both institutions see an alert.

The reports are made through the same services as the forms, so the missing-person check runs as
it does for any new report (after the commit). Every name is a variant of an invented demo name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from alianza.accounts.models import Institution
from alianza.cases.choices import CaseSource, CrimeType
from alianza.cases.demo import YEAR_TREND
from alianza.cases.models import Case
from alianza.cases.services import CaseInput, case_create_in_transaction
from alianza.linkage.models import LinkageRun
from alianza.linkage.services import linkage_run
from alianza.normalize import fold
from alianza.people.choices import ParticipationRole
from alianza.people.models import Participation
from alianza.people.services import (
    ParticipationInput,
    PersonInput,
    participation_create_in_transaction,
    person_create_in_transaction,
)

DEMO_PREFIX = "DEMO-MISSING-"
# Who reports the missing persons: the demo case worker's NGO and El Alto's child-protection office.
REPORTERS = ("FMK", "DNA-EA")
VICTIMS_OWNER = "FELCC"
REPORTS = 6
# The reports are of the last demo year, so the years the public trend names (2018: 463 cases,
# 2022: 551) keep their counts; 2025 gains these few reports.
REPORTS_YEAR = max(YEAR_TREND)


def demo_linkage_seed(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Run linkage once (unless a run exists) and add the demo's missing-person reports (once)."""
    ran = 0
    if not LinkageRun.objects.filter(finished_at__isnull=False).exists():
        linkage_run(progress=progress)
        ran = 1
    return {"linkage_runs": ran, "missing_person_reports": _missing_reports_seed()}


def _missing_reports_seed() -> int:
    if Case.objects.filter(source_record_id__startswith=DEMO_PREFIX).exists():
        return 0
    institutions = {i.short_name: i for i in Institution.objects.filter(short_name__in=[*REPORTERS, VICTIMS_OWNER])}
    if any(name not in institutions for name in (*REPORTERS, VICTIMS_OWNER)):
        return 0
    victims = list(
        Participation.objects.filter(
            role=ParticipationRole.VICTIM, case__owner_institution=institutions[VICTIMS_OWNER],
            case__reported_on__year=REPORTS_YEAR, person__birth_date__regex=r"^\d{4}-\d{2}-\d{2}$",
        )
        .exclude(person__given_names="")
        .select_related("case", "person")
        .order_by("id")[: 40 * REPORTS : 40]
    )  # fmt: skip
    created = 0
    with transaction.atomic(durable=True):
        for number, victim in enumerate(victims[:REPORTS]):
            person, case = victim.person, victim.case
            reporter = institutions[REPORTERS[number % len(REPORTERS)]]
            reported_on = max(case.reported_on - dt.timedelta(days=45), dt.date(case.reported_on.year, 1, 1))
            report = case_create_in_transaction(
                acting_user=None, owner_institution=reporter, source_record_id=f"{DEMO_PREFIX}{number + 1:03d}",
                data=CaseInput(
                    crime_type=CrimeType.TRAFFICKING, reported_on=reported_on, source=CaseSource.COMPLAINT,
                    department="BO-L", municipality="El Alto",
                    narrative="Denuncia sintética de desaparición (demostración).",
                ),
            )  # fmt: skip
            # How a family reports someone: the first given name, accents lost, one surname dropped.
            missing = person_create_in_transaction(
                acting_user=None, owner_institution=reporter,
                data=PersonInput(
                    given_names=person.given_names.split()[0], first_surname=fold(person.first_surname).title(),
                    second_surname="" if number % 2 else person.second_surname, sex=person.sex,
                    birth_date=person.birth_date, citizenships=tuple(person.citizenships),
                ),
            )  # fmt: skip
            participation_create_in_transaction(
                acting_user=None, case=report, person=missing,
                data=ParticipationInput(
                    role=ParticipationRole.MISSING_PERSON, last_seen_on=reported_on.isoformat(),
                    last_seen_place="El Alto", last_seen_country="BOL",
                ),
            )  # fmt: skip
            created += 1
    return created
