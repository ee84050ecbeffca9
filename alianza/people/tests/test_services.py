from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.cases.choices import CaseSource, CrimeType, RouteEventType
from alianza.cases.models import Case
from alianza.cases.services import CaseInput, RouteEventInput, case_create, route_event_create
from alianza.core.errors import Conflict, ValidationFailed
from alianza.normalize import PartialDate
from alianza.people.choices import ParticipationRole, RoleInProcess, TraffickingStatus
from alianza.people.models import Person
from alianza.people.services import (
    ContactInput,
    DocumentInput,
    ParticipationInput,
    PersonInput,
    age_at,
    participation_create,
    participation_delete,
    person_create,
    person_update,
)
from alianza.prosecution.models import ProceedingStage
from alianza.prosecution.services import proceeding_record_stage

pytestmark = pytest.mark.django_db


def victim_data(**changes: Any) -> PersonInput:
    values: dict[str, Any] = {
        "given_names": "  maría   del carmen ",
        "first_surname": "NÚÑEZ",
        "second_surname": "de la cruz",
        "sex": "F",
        "birth_date": "2006",
        "citizenships": ("Bolivia",),
        "documents": (DocumentInput(number="CI 1234567-1B L.P.", document_type="C.I."),),
        "contacts": (ContactInput(kind="phone", value="71234567"),),
    }
    values.update(changes)
    return PersonInput(**values)


def test_person_create_normalises_every_value_and_keeps_what_was_entered(make_user: Callable[..., Any]) -> None:
    person = person_create(acting_user=make_user(Role.CASE_WORKER), data=victim_data())
    assert (person.given_names, person.first_surname, person.second_surname) == ("María del Carmen", "Núñez", "de la Cruz")
    assert person.names_text == "maria del carmen nunez de la cruz"
    assert person.citizenships == ["BOL"]
    document = person.documents.get()
    assert (document.number_as_entered, document.number_normalized, document.complement, document.extension) == (
        "CI 1234567-1B L.P.", "1234567", "1B", "LP",
    )
    assert person.contacts.get().value_normalized == "+59171234567"


def test_person_create_reports_each_bad_field_and_saves_nothing(make_user: Callable[..., Any]) -> None:
    with pytest.raises(ValidationFailed) as error:
        person_create(
            acting_user=make_user(Role.CASE_WORKER),
            data=victim_data(
                first_surname="Mamani2", birth_date="2999",
                documents=(DocumentInput(number="123.456.789-00", document_type="CPF"),),
            ),
        )
    assert set(error.value.extra["fields"]) == {"first_surname", "birth_date", "documents.0.document_number"}
    assert not Person.objects.exists()


def test_person_update_refuses_a_stale_version(make_user: Callable[..., Any]) -> None:
    worker = make_user(Role.CASE_WORKER)
    person = person_create(acting_user=worker, data=victim_data())
    person_update(acting_user=worker, person_id=person.pk, expected_version=1, data=victim_data(second_surname=""))
    with pytest.raises(Conflict):
        person_update(acting_user=worker, person_id=person.pk, expected_version=1, data=victim_data(given_names="Rosa"))
    person.refresh_from_db()
    assert person.given_names == "María del Carmen" and person.second_surname == ""


def test_age_at_uses_what_both_dates_know() -> None:
    assert age_at(PartialDate(2006, 8, 20), PartialDate(2022, 8, 19)) == 15
    assert age_at(PartialDate(2006, 8, 20), PartialDate(2022, 8, 20)) == 16
    assert age_at(PartialDate(2006), PartialDate(2022, 3)) == 16
    assert age_at(PartialDate(2006, 9), PartialDate(2022, 3)) == 15
    assert age_at(None, PartialDate(2022)) is None


def test_victim_and_suspect_join_a_case(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.INVESTIGATOR)
    case = case_create(
        acting_user=worker,
        data=CaseInput(crime_type=CrimeType.TRAFFICKING, reported_on=dt.date(2023, 4, 1), source=CaseSource.HOTLINE),
    )
    route_event_create(
        acting_user=worker, case_id=case.pk,
        data=RouteEventInput(event_type=RouteEventType.RECRUITMENT, country="BOL", date="2022-03-10"),
    )
    victim = person_create(acting_user=worker, data=victim_data(birth_date="2006-08-20"))
    suspect = person_create(acting_user=worker, data=PersonInput(given_names="Ernesto", first_surname="Quispe", sex="M"))
    participation = participation_create(
        acting_user=worker, case_id=case.pk, person_id=victim.pk,
        data=ParticipationInput(
            role=ParticipationRole.VICTIM, trafficking_status=TraffickingStatus.ACTUAL,
            status_decided_by="Police", exploitation_forms=("forced_labour",), forced_labour_industry="C",
            means_of_control=("debt_bondage", "withholds_documents"), recruitment_methods=("online_social_networks",),
            recruitment_websites=("Facebook",), roles_in_process=("Exploiter",),  # not a suspect: dropped
        ),
    )
    assert participation.age_when_trafficked == 15
    assert participation.roles_in_process == []
    assert participation.forced_labour_industry.htcds_value == "C_Manufacturing"
    participation_create(
        acting_user=worker, case_id=case.pk, person_id=suspect.pk,
        data=ParticipationInput(role=ParticipationRole.SUSPECT, roles_in_process=(RoleInProcess.RECRUITER,)),
    )
    case.refresh_from_db()
    assert "nunez" in case.names_text and "quispe" in case.names_text
    assert list(case.exploitation_forms.values_list("code", flat=True)) == ["forced_labour"]
    with pytest.raises(ValidationFailed):
        participation_create(
            acting_user=worker, case_id=case.pk, person_id=victim.pk, data=ParticipationInput(role=ParticipationRole.VICTIM)
        )
    with pytest.raises(Conflict):
        participation_create(
            acting_user=worker, case_id=case.pk, person_id=suspect.pk, expected_version=1,
            data=ParticipationInput(role=ParticipationRole.WITNESS),
        )


def test_proceeding_per_suspect(make_user: Callable[..., Any], reference: None) -> None:
    prosecutor = make_user(Role.PROSECUTOR)
    case = case_create(
        acting_user=prosecutor,
        data=CaseInput(crime_type=CrimeType.SMUGGLING, reported_on=dt.date(2023, 4, 1), source=CaseSource.COMPLAINT),
    )
    suspect = person_create(acting_user=prosecutor, data=PersonInput(given_names="Ernesto", first_surname="Quispe"))
    victim = person_create(acting_user=prosecutor, data=PersonInput(given_names="Luz", first_surname="Choque"))
    accused = participation_create(
        acting_user=prosecutor, case_id=case.pk, person_id=suspect.pk, data=ParticipationInput(role=ParticipationRole.SUSPECT)
    )
    not_accused = participation_create(
        acting_user=prosecutor, case_id=case.pk, person_id=victim.pk, data=ParticipationInput(role=ParticipationRole.VICTIM)
    )
    proceeding_record_stage(acting_user=prosecutor, participation_id=accused.pk, stage="charged", on=dt.date(2023, 6, 1))
    proceeding = proceeding_record_stage(acting_user=prosecutor, participation_id=accused.pk, stage="convicted", on=dt.date(2024, 2, 1))
    assert proceeding.stage == ProceedingStage.CONVICTED
    assert (proceeding.charged_on, proceeding.verdict_on) == (dt.date(2023, 6, 1), dt.date(2024, 2, 1))
    with pytest.raises(ValidationFailed):
        proceeding_record_stage(acting_user=prosecutor, participation_id=not_accused.pk, stage="charged")
    participation_delete(acting_user=prosecutor, participation_id=not_accused.pk)
    assert Case.objects.get().participations.count() == 1


def test_the_search_key_of_names_is_the_fold_of_them_all() -> None:
    """`_names_text` folds one name at a time (cached) and must give what folding them together gives."""
    from alianza.normalize import fold
    from alianza.people.services import _names_text

    samples = [
        ("María José", "Quispé", "de la Cruz", []), ("Ñusta", "Ñáñez", "", ["La Negra"]), ("K'ara", "Mamani-Choque", "", []),
        ("  Ana  ", "O’Higgins", "Ruiz-Tagle", ["-"]), ("Łucja", "Müller", "Øster", ["d'", "Ara"]), ("", "", "", ["—", "İlkay"]),
    ]
    for given, first, second, aliases in samples:
        values = {"given_names": given, "first_surname": first, "second_surname": second, "aliases": aliases}
        assert _names_text(values) == fold(" ".join(p for p in (given, first, second, *aliases) if p)), values
