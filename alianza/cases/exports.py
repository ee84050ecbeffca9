"""Exports of exactly what the user may see: CSV and XLSX (the import's columns) and HTCDS JSON.

Rows come from `selectors.case_list`, so the same cases are exported as the list shows, and each
case's categories decide its columns: no narrative without the case summary, no route without the
route category, and no names, documents or birth dates of a person whose identity the user may
not see. The CSV columns are the import's, so an export can be imported on another node.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch

from alianza.accounts import authz
from alianza.audit.services import audit_record_now
from alianza.cases.imports import COLUMNS
from alianza.cases.models import Case, RouteEvent
from alianza.cases.selectors import (
    CaseFilter,
    ParticipantView,
    case_categories_of,
    case_list,
    participants_of,
    participations_prefetch,
)
from alianza.core.errors import PermissionDenied
from alianza.people.choices import ParticipationRole

EXPORT_COLUMNS = ("reference", "owner_institution", *COLUMNS, "victim_count", "suspect_count")
FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "htcds": "application/json"}  # fmt: skip


def _cases(acting_user: Any, filters: CaseFilter) -> Iterator[tuple[Case, frozenset[authz.Category], list[ParticipantView]]]:
    if not authz.has_perm(acting_user, authz.Perm.CASE_EXPORT):
        raise PermissionDenied("Your role does not allow exports.")
    qs = case_list(acting_user=acting_user, filters=filters).prefetch_related(
        participations_prefetch(), Prefetch("route_events", queryset=RouteEvent.objects.select_related("border_crossing"))
    )
    for case in qs.iterator(chunk_size=500):
        categories = case_categories_of(acting_user, case)
        if categories:
            yield case, categories, participants_of(case, categories, acting_user=acting_user)


def _audit(acting_user: Any, fmt: str, categories: set[authz.Category]) -> None:
    audit_record_now(actor=acting_user, action=f"case.export.{fmt}", object_type="cases.case",
                     changed_fields=sorted(str(c) for c in categories))


def _flat_row(case: Case, categories: frozenset[authz.Category], people: list[ParticipantView]) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(EXPORT_COLUMNS, "")
    row.update(
        reference=case.reference, owner_institution=str(case.owner_institution), source_record_id=case.source_record_id,
        crime_type=case.crime_type, legal_article=case.legal_article, status=case.status,
        closure_reason=case.closure_reason, reported_on=case.reported_on.isoformat(),
        first_incident_on=case.first_incident_on, department=case.department, municipality=case.municipality,
        source=case.source, exploitation_forms=";".join(t.code for t in case.exploitation_forms.all()),
        narrative=case.narrative if authz.Category.CASE_SUMMARY in categories else "",
        victim_count=sum(p.participation.role == ParticipationRole.VICTIM for p in people),
        suspect_count=sum(p.participation.role == ParticipationRole.SUSPECT for p in people),
    )
    for prefix, role in (("victim_", ParticipationRole.VICTIM), ("suspect_", ParticipationRole.SUSPECT)):
        first = next((p for p in people if p.participation.role == role), None)
        if first is None:
            continue
        person = first.participation.person
        row[f"{prefix}sex"] = person.sex
        if prefix == "victim_":
            row["victim_nationality"] = ";".join(person.citizenships)
        if first.identity_visible:
            row[f"{prefix}given_names"] = person.given_names
            row[f"{prefix}first_surname"] = person.first_surname
            row[f"{prefix}second_surname"] = person.second_surname
            if prefix == "victim_":
                row["victim_birth_date"] = person.birth_date
                document = next(iter(person.documents.all()), None)
                if document is not None:
                    row["victim_document_type"] = document.document_type
                    row["victim_document_number"] = document.number_as_entered
    if authz.Category.ROUTE in categories:
        destination = [e for e in case.route_events.all() if e.event_type == "Exploitation"]
        if destination:
            row["destination_country"], row["destination_city"] = destination[-1].country, destination[-1].city
    return row


def export_csv(*, acting_user: Any, filters: CaseFilter) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    seen: set[authz.Category] = set()
    for case, categories, people in _cases(acting_user, filters):
        seen |= categories
        writer.writerow(_flat_row(case, categories, people))
    _audit(acting_user, "csv", seen)
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(*, acting_user: Any, filters: CaseFilter) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(list(EXPORT_COLUMNS))
    seen: set[authz.Category] = set()
    for case, categories, people in _cases(acting_user, filters):
        seen |= categories
        row = _flat_row(case, categories, people)
        sheet.append([row[name] for name in EXPORT_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    _audit(acting_user, "xlsx", seen)
    return buffer.getvalue()


def _htcds_person(view: ParticipantView) -> dict[str, Any]:
    p = view.participation
    person = p.person
    out: dict[str, Any] = {"alz_Role": p.role, "alz_Sex": person.sex, "prs_Gender": person.gender,
                           "prs_Citizenship": person.citizenships}
    if view.identity_visible:
        out.update(prs_FirstName=person.given_names, prs_SecondName=person.first_surname,
                   alz_MaternalSurname=person.second_surname, prs_Birthdate=person.birth_date)
        document = next(iter(person.documents.all()), None)
        if document is not None:
            out.update(prs_IdentityNumber=document.number_as_entered, alz_DocumentType=document.document_type)
    else:
        out["alz_Masked"] = True
    if p.role in (ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON):
        out.update(
            vic_TraffickingStatus=p.trafficking_status, vic_TraffickingStatusDecisionMakingOrg=p.status_decided_by,
            vic_AgeWhenTrafficked=p.age_when_trafficked, vic_RelationshipToTrafficker=p.relationship_to_trafficker,
            vic_MethodOfRecruitment=sorted({t.htcds_value for t in p.recruitment_methods.all()}),
            vic_MethodsOfControl=sorted({t.htcds_value for t in p.means_of_control.all()}),
            vic_TypeOfExploitation=sorted({t.htcds_value for t in p.exploitation_forms.all()}),
            alz_ExploitationForms=[t.code for t in p.exploitation_forms.all()],
            vic_ForcedLabourIndustry=p.forced_labour_industry.htcds_value if p.forced_labour_industry else "",
            vic_TypeOfSexExploitation=p.sexual_exploitation_types,
            vic_RecruitmentWebsitesAndApps=p.recruitment_websites,
            vic_ExploitationWebsitesAndApps=p.exploitation_websites,
        )
    if p.role == ParticipationRole.SUSPECT:
        out["per_RoleInProcess"] = p.roles_in_process
    return out


def export_htcds(*, acting_user: Any, filters: CaseFilter) -> bytes:
    """HTCDS 2.0 field names; Alianza's own fields carry an alz_ prefix. Readable by `alianza import`."""
    cases = []
    seen: set[authz.Category] = set()
    for case, categories, people in _cases(acting_user, filters):
        seen |= categories
        record: dict[str, Any] = {
            "id": case.reference, "alz_SourceRecordId": case.source_record_id or case.reference,
            "alz_CrimeType": case.crime_type, "alz_LegalArticle": case.legal_article,
            "cas_Status": case.status, "cas_ReasonForCaseClosure": case.closure_reason,
            "alz_ReportedOn": case.reported_on.isoformat(), "alz_FirstIncidentOn": case.first_incident_on,
            "alz_Department": case.department, "alz_Municipality": case.municipality, "alz_Source": case.source,
            "alz_OwnerInstitution": str(case.owner_institution),
            "alz_ExploitationForms": [t.code for t in case.exploitation_forms.all()],
            "victims": [_htcds_person(v) for v in people if v.participation.role != ParticipationRole.SUSPECT],
            "perpetrators": [_htcds_person(v) for v in people if v.participation.role == ParticipationRole.SUSPECT],
        }
        if authz.Category.CASE_SUMMARY in categories:
            record["alz_Narrative"] = case.narrative
        if authz.Category.ROUTE in categories:
            record["historicTraffickingEvents"] = [
                {"hte_Type": e.event_type, "hte_Country": e.country, "hte_State": e.department, "hte_City": e.city,
                 "hte_Date": e.date, "alz_BorderCrossing": e.border_crossing.code if e.border_crossing else "",
                 "alz_TransportMode": e.transport_mode, "alz_Crossing": e.crossing, "hte_Description": e.description}
                for e in case.route_events.all()
            ]
        cases.append(record)
    _audit(acting_user, "htcds", seen)
    return json.dumps({"standard": "HTCDS 2.0", "cases": cases}, ensure_ascii=False, indent=1).encode("utf-8")


EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx, "htcds": export_htcds}
