"""The adapter from the case registry to the package builder: one case as a `CaseSnapshot`.

It reads the case through `alianza.cases.selectors.case_get`, so the liaison's own authorization
applies first (a category the liaison may not see cannot be sent), and the agreement's policy
then applies in `packages.build_content`. Persons linked to records received from a partner
carry that record's provenance, so its handling code keeps limiting where they may go.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from alianza.accounts.authz import Category
from alianza.core.errors import ValidationFailed
from alianza.exchange.models import ReceivedRecord
from alianza.exchange.packages import CaseSnapshot, PersonRecord, Provenance, RouteStep

_STRICTNESS = {"H0": 0, "H1": 1, "H2": 2, "H3": 3}


def _provenance_of(person_ids: list[int]) -> dict[int, Provenance]:
    """The strictest provenance among the received records each local person is linked to."""
    found: dict[int, Provenance] = {}
    links = {f"person:{pk}": pk for pk in person_ids}
    for record in ReceivedRecord.objects.filter(linked_to__in=list(links), anonymised_at__isnull=True):
        pk = links[record.linked_to]
        current = found.get(pk)
        if current is None or _STRICTNESS[record.handling_code] > _STRICTNESS[current.handling_code]:
            found[pk] = Provenance(
                country=record.partner_country, agreement=record.agreement_reference,
                handling_code=record.handling_code, package_id=record.package_id,
            )
    return found


def _consented_countries(participation_ids: list[int]) -> dict[int, frozenset[str]]:
    """Partner countries each victim has consented, and not withdrawn, to share their identity with."""
    if not apps.is_installed("alianza.protection"):
        return {}
    from alianza.protection.choices import ConsentPurpose
    from alianza.protection.models import Consent

    found: dict[int, set[str]] = {}
    rows = Consent.objects.filter(
        participation_id__in=participation_ids, purpose=ConsentPurpose.SHARE_WITH_PARTNER, withdrawn_at__isnull=True
    ).values_list("participation_id", "partner_country")
    for participation_id, country in rows:
        found.setdefault(participation_id, set()).add(country)
    return {k: frozenset(v) for k, v in found.items()}


def _age_group(sex: str, birth_date: str, on: date) -> str:
    if len(birth_date) < 4 or not birth_date[:4].isdigit():
        return "unknown"
    adult = on.year - int(birth_date[:4]) >= 18
    return {("F", True): "women", ("F", False): "girls", ("M", True): "men", ("M", False): "boys"}.get(
        (sex, adult), "unknown"
    )


def case_snapshot(*, acting_user: Any, case_id: int) -> CaseSnapshot:
    """Everything `acting_user` may see of the case, in the shape the policy filter reads.

    The narrative is never included: it is free text and may name anyone.
    """
    from alianza.cases import (
        selectors as case_selectors,  # the registry is optional for this module
    )
    from alianza.people.choices import ParticipationRole

    detail = case_selectors.case_get(acting_user=acting_user, case_id=case_id, with_history=False)
    case = detail.case
    if case.crime_type not in ("trafficking", "smuggling"):
        raise ValidationFailed(_("Only trafficking and smuggling cases are exchanged under the agreements."))
    visible = detail.categories
    participants = [p for p in detail.participants if p.participation.role in (ParticipationRole.VICTIM, ParticipationRole.SUSPECT)]
    provenance = _provenance_of([p.participation.person_id for p in participants])
    consents = _consented_countries([p.participation.pk for p in participants])
    victims: list[PersonRecord] = []
    suspects: list[PersonRecord] = []
    victim_groups: dict[str, int] = {}
    for view in participants:
        participation, person = view.participation, view.participation.person
        role = participation.role
        if role == ParticipationRole.VICTIM:
            group = _age_group(person.sex, person.birth_date, case.reported_on)
            victim_groups[group] = victim_groups.get(group, 0) + 1
        if not view.identity_visible:
            continue
        document = next(iter(person.documents.all()), None)
        record = PersonRecord(
            record_id=f"{case.reference}-P{person.pk}",
            given_names=person.given_names, first_surname=person.first_surname,
            second_surname=person.second_surname, sex=person.sex, birth_date=person.birth_date,
            nationality=(person.citizenships or [""])[0],
            document_type=document.document_type if document else "",
            document_number=document.number_normalized if document else "",
            role_detail=",".join(participation.roles_in_process or [])[:40] if role == ParticipationRole.SUSPECT else "",
            consented_countries=consents.get(participation.pk, frozenset()),
            provenance=provenance.get(person.pk),
        )
        (victims if role == ParticipationRole.VICTIM else suspects).append(record)
    forms = sorted(term.code for term in case.exploitation_forms.all())
    suspect_count = sum(1 for p in participants if p.participation.role == ParticipationRole.SUSPECT)
    return CaseSnapshot(
        reference=case.reference,
        crime_type=case.crime_type,  # type: ignore[arg-type]  # checked above
        statistics={
            "year": case.reported_on.year, "crime_type": case.crime_type,
            "victims_by_sex_age": victim_groups, "suspects": suspect_count, "exploitation_forms": forms,
        } if Category.STATISTICS in visible else {},
        summary={
            "legal_article": case.legal_article, "status": case.status,
            "reported_on": case.reported_on.isoformat(), "first_incident_on": case.first_incident_on,
            "department": case.department, "exploitation_forms": forms,
            "victim_count": sum(victim_groups.values()), "suspect_count": suspect_count,
        },
        route=tuple(
            RouteStep(
                position=event.position, event_type=event.event_type.lower(), country=event.country,
                place=event.city or (event.border_crossing.label if event.border_crossing else ""),
                date=event.date, transport_mode=event.transport_mode,
            )
            for event in detail.route
        ),
        suspects=tuple(suspects),
        victims=tuple(victims),
    )
