"""Writing many cases at once, with their people and routes: imports and the demo world.

The values come from the cleaning functions the single-record services use (`clean_case`,
`clean_person`, `clean_participation`, `clean_route_event`); this module only changes how the
rows travel to the database (`alianza.core.bulk`). It keeps everything the services keep:

* a reference from each year's sequence, issued in order;
* the denormalised search columns and tokens (`case_search_columns`, `search_token_pairs`),
  the countries of exploitation, and the victims' forms of exploitation on the case;
* a victim's age when trafficked, computed from the route or the first incident when not given;
* one audit entry for every case and every person created, chained like any other
  (`audit_record_many`, or for a pipelined import the `AuditChain` it passes to `bulk_prepare`).

A case written here reads exactly like one built by `case_create`, `route_event_create` and
`participant_add` in that order (alianza/cases/tests/test_bulk.py compares them), except its
`version`, which starts at 1 because it was written once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from alianza.audit.services import (
    AuditBatch,
    AuditChain,
    AuditEvent,
    audit_batch_save,
    audit_record_many,
)
from alianza.cases.choices import RouteEventType
from alianza.cases.models import Case, CaseSearchToken, CaseSequence, ReferenceTerm, RouteEvent
from alianza.cases.services import case_search_columns, search_token_pairs
from alianza.core.bulk import CopyFormatter, CopyText, allocate_ids, db_value, insert_rows
from alianza.people.choices import ParticipationRole
from alianza.people.models import Contact, IdentityDocument, Participation, Person
from alianza.people.services import CleanPerson, age_when_trafficked, person_changed_fields

CASE_FIELDS = (
    "crime_type", "legal_article", "status", "closure_reason", "reported_on", "first_incident_on", "department",
    "municipality", "source", "narrative", "sensitivity",
)  # fmt: skip
PERSON_FIELDS = (
    "given_names", "first_surname", "second_surname", "aliases", "sex", "gender", "birth_date", "citizenships",
    "languages", "indigenous_people", "has_disability", "disability_details", "education",
)  # fmt: skip
ROLE_FIELDS = (
    "role", "trafficking_status", "status_decided_by", "age_when_trafficked", "relationship_to_trafficker",
    "sexual_exploitation_types", "recruitment_websites", "exploitation_websites", "roles_in_process",
    "last_seen_on", "last_seen_place", "last_seen_country",
)  # fmt: skip
ROUTE_FIELDS = ("event_type", "country", "department", "city", "date", "transport_mode", "crossing", "description")
ROLE_TERMS = ("recruitment_methods", "means_of_control", "exploitation_forms")
VICTIM_ROLES = (ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON)


@dataclass
class ParticipantBundle:
    """A new person and their role in the case, as `clean_person` and `clean_participation` gave them."""

    person: CleanPerson
    role_values: dict[str, Any]
    role_terms: dict[str, list[ReferenceTerm]]


@dataclass
class CaseBundle:
    """A new case, as `clean_case` gave it, with its route (in order) and its participants."""

    values: dict[str, Any]
    exploitation_forms: list[ReferenceTerm]
    owner_institution_id: int
    source_record_id: str = ""
    route: list[dict[str, Any]] = field(default_factory=list)
    participants: list[ParticipantBundle] = field(default_factory=list)


@dataclass
class BulkResult:
    case_ids: list[int]
    participation_ids: list[list[int]]  # per case, in the order of its participants

    @property
    def all_participation_ids(self) -> list[int]:
        return [pk for ids in self.participation_ids for pk in ids]


def _references(bundles: Sequence[CaseBundle]) -> list[str]:
    """The next references of each year, in the order of the bundles (the sequences stay locked)."""
    years = sorted({b.values["reported_on"].year for b in bundles})
    last: dict[int, int] = {}
    for year in years:
        sequence, _created = CaseSequence.objects.select_for_update().get_or_create(year=year)
        last[year] = sequence.last_number
    references = []
    for bundle in bundles:
        year = bundle.values["reported_on"].year
        last[year] += 1
        references.append(f"{settings.ALIANZA_NODE_COUNTRY}-{year}-{last[year]:06d}")
    for year, number in last.items():
        CaseSequence.objects.filter(year=year).update(last_number=number)
    return references


def _json(value: list[str]) -> str:
    return json.dumps(value) if value else "[]"  # as JSONField writes a list


def _unique_terms(groups: Iterable[Iterable[ReferenceTerm]]) -> list[int]:
    return list(dict.fromkeys(term.id for group in groups for term in group))


def cases_bulk_create(*, acting_user: Any, bundles: Sequence[CaseBundle], audit: bool = True) -> BulkResult:
    """Write `bundles` in the caller's transaction; the caller has checked permissions and values.

    With `audit`, every case and person gets its creation entry in the audit trail.
    """
    if not bundles:
        return BulkResult([], [])
    rows = bulk_rows(bulk_prepare(acting_user=acting_user, bundles=bundles), audit=audit)
    bulk_write(acting_user=acting_user, rows=rows)
    return rows.result


@dataclass
class Prepared:
    """What writing bundles needs from the database first: their references and primary keys."""

    bundles: Sequence[CaseBundle]
    references: list[str]
    case_ids: list[int]
    person_ids: list[int]
    role_ids: list[int]
    now: Any
    user_id: int | None
    formatter: CopyFormatter | None = None  # PostgreSQL: `bulk_rows` formats the rows for COPY
    audit: AuditChain | None = None  # `bulk_rows` chains the audit entries too


def bulk_prepare(
    *, acting_user: Any, bundles: Sequence[CaseBundle], formatter: CopyFormatter | None = None,
    audit: AuditChain | None = None,
) -> Prepared:
    """Issue the bundles' references (the year's sequences stay locked) and reserve their ids.

    With a `formatter`, `bulk_rows` also puts the rows in COPY's format, and with the writing
    transaction's `audit` chain it numbers and hashes the audit entries (in the thread that builds them).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("cases_bulk_create must run inside the transaction of the import")
    people = sum(len(b.participants) for b in bundles)
    return Prepared(
        bundles=bundles, references=_references(bundles), case_ids=allocate_ids(Case, len(bundles)),
        person_ids=allocate_ids(Person, people), role_ids=allocate_ids(Participation, people),
        now=db_value(timezone.now()),
        user_id=acting_user.pk if acting_user is not None and getattr(acting_user, "is_authenticated", False) else None,
        formatter=formatter, audit=audit,
    )


Table = list[tuple[Any, ...]] | CopyText  # a table's rows: tuples, or formatted for COPY


@dataclass
class Rows:
    """Every row of every table for a batch of bundles, in the database's form, and the audit events."""

    result: BulkResult
    cases: Table
    case_forms: Table
    route: Table
    tokens: Table
    persons: Table
    documents: Table
    contacts: Table
    roles: Table
    role_terms: dict[str, Table]
    events: list[AuditEvent] | None
    audit_batch: AuditBatch | None = None  # the events' entries, chained (with `Prepared.audit`)


def bulk_rows(prepared: Prepared, *, audit: bool = True) -> Rows:
    """The rows (pure Python: no query, so another thread may build them while the database works)."""
    bundles, now, user_id = prepared.bundles, prepared.now, prepared.user_id
    case_ids = prepared.case_ids
    person_ids = iter(prepared.person_ids)
    role_ids = iter(prepared.role_ids)
    cases: list[tuple[Any, ...]] = []
    case_forms: list[tuple[Any, ...]] = []
    route: list[tuple[Any, ...]] = []
    tokens: list[tuple[Any, ...]] = []
    persons: list[tuple[Any, ...]] = []
    documents: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    roles: list[tuple[Any, ...]] = []
    role_terms: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    events: list[AuditEvent] = []
    participation_ids: list[list[int]] = []
    for bundle, case_id, reference in zip(bundles, case_ids, prepared.references, strict=True):
        values = bundle.values
        recruitment_dates = [e["date"] for e in bundle.route if e["event_type"] == RouteEventType.RECRUITMENT]
        for position, event in enumerate(bundle.route, start=1):
            crossing = event["border_crossing"]
            route.append((case_id, position, *(event[name] for name in ROUTE_FIELDS), crossing.pk if crossing else None))
        ids = []
        person_events = []
        for participant in bundle.participants:
            person_id, role_id = next(person_ids), next(role_ids)
            ids.append(role_id)
            person = participant.person
            v = person.values
            persons.append((
                person_id, v["given_names"], v["first_surname"], v["second_surname"], _json(v["aliases"]), v["sex"],
                v["gender"], v["birth_date"], _json(v["citizenships"]), _json(v["languages"]), v["indigenous_people"],
                v["has_disability"], v["disability_details"], v["education"], person.names_text,
                bundle.owner_institution_id, 1, bundle.source_record_id, now, now, user_id,
            ))
            documents.extend(
                (person_id, d.document_type, d.issuing_country, d.number_as_entered, d.number_normalized, d.complement, d.extension)
                for d in person.documents
            )
            contacts.extend((person_id, c.kind, c.value, c.value_normalized) for c in person.contacts)
            role = dict(participant.role_values)
            if role["role"] in VICTIM_ROLES and role["age_when_trafficked"] is None:
                role["age_when_trafficked"] = age_when_trafficked(
                    birth_date=person.values["birth_date"], recruitment_dates=recruitment_dates,
                    first_incident_on=values["first_incident_on"],
                )
            industry = role.get("forced_labour_industry")
            roles.append((
                role_id, case_id, person_id, role["role"], role["trafficking_status"], role["status_decided_by"],
                role["age_when_trafficked"], role["relationship_to_trafficker"], _json(role["sexual_exploitation_types"]),
                _json(role["recruitment_websites"]), _json(role["exploitation_websites"]), _json(role["roles_in_process"]),
                role["last_seen_on"], role["last_seen_place"], role["last_seen_country"],
                industry.pk if industry else None, now,
            ))
            for name in ROLE_TERMS:
                role_terms[name].extend((role_id, term.pk) for term in participant.role_terms.get(name, ()))
            if audit:
                person_events.append(AuditEvent("person.create", "people.person", str(person_id), tuple(person_changed_fields(person))))
        participation_ids.append(ids)
        # A victim's forms of exploitation are forms of exploitation of the case.
        forms = _unique_terms([bundle.exploitation_forms, *(p.role_terms.get("exploitation_forms", ()) for p in bundle.participants)])
        case_forms.extend((case_id, term_id) for term_id in forms)
        columns = case_search_columns(
            reference=reference, municipality=values["municipality"], narrative=values["narrative"],
            names=[p.person.names_text for p in bundle.participants],
            exploitation_countries=[e["country"] for e in bundle.route if e["event_type"] == RouteEventType.EXPLOITATION],
            exploitation_form_ids=forms,
        )
        cases.append((
            case_id, reference, values["crime_type"], values["legal_article"], values["status"], values["closure_reason"],
            values["reported_on"].isoformat(), values["first_incident_on"], values["department"], values["municipality"],
            values["source"], values["narrative"], values["sensitivity"], bundle.owner_institution_id,
            columns["exploitation_countries"], columns["filter_keys"], columns["search_text"], columns["names_text"], 1,
            bundle.source_record_id, now, now, user_id,
        ))
        owner_id = bundle.owner_institution_id
        tokens.extend(
            (case_id, token, is_name, owner_id) for token, is_name in search_token_pairs(columns["search_text"], columns["names_text"])
        )
        if audit:
            changed = [*CASE_FIELDS, *(["exploitation_forms"] if forms else []), *(["participations"] if ids else []),
                       *(["route_events"] if bundle.route else []), *(["source_record_id"] if bundle.source_record_id else [])]
            events.append(AuditEvent("case.create", "cases.case", str(case_id), tuple(changed)))
            events.extend(person_events)

    # In token order, the order of two of the table's three indexes: each insert lands next to the
    # one before it (a third of the time on SQLite, whose indexes are B-trees of the keys).
    tokens.sort(key=lambda row: row[1])
    formatted = prepared.formatter.format if prepared.formatter is not None else None

    def table(rows: list[tuple[Any, ...]]) -> Table:
        return formatted(rows) if formatted is not None else rows  # formatted: the writing thread only sends them

    return Rows(
        BulkResult(case_ids, participation_ids), table(cases), table(case_forms), table(route), table(tokens),
        table(persons), table(documents), table(contacts), table(roles),
        {name: table(pairs) for name, pairs in role_terms.items()}, events if audit else None,
        prepared.audit.batch(events, prepared.formatter) if audit and prepared.audit is not None else None,
    )


def bulk_write(*, acting_user: Any, rows: Rows) -> None:
    """Insert the rows, in the caller's transaction, and append their audit entries."""
    insert_rows(Case, ("id", "reference", *CASE_FIELDS, "owner_institution", "exploitation_countries", "filter_keys",
                       "search_text", "names_text", "version", "source_record_id", "created_at", "updated_at", "created_by"), rows.cases)
    insert_rows(Case.exploitation_forms.through, ("case", "referenceterm"), rows.case_forms)
    insert_rows(RouteEvent, ("case", "position", *ROUTE_FIELDS, "border_crossing"), rows.route)
    insert_rows(Person, ("id", *PERSON_FIELDS, "names_text", "owner_institution", "version", "source_record_id",
                         "created_at", "updated_at", "created_by"), rows.persons)
    insert_rows(IdentityDocument, ("person", "document_type", "issuing_country", "number_as_entered",
                                   "number_normalized", "complement", "extension"), rows.documents)
    insert_rows(Contact, ("person", "kind", "value", "value_normalized"), rows.contacts)
    insert_rows(Participation, ("id", "case", "person", *ROLE_FIELDS, "forced_labour_industry", "created_at"), rows.roles)
    for name, pairs in rows.role_terms.items():
        insert_rows(getattr(Participation, name).through, ("participation", "referenceterm"), pairs)
    insert_rows(CaseSearchToken, ("case", "token", "is_name", "owner_institution"), rows.tokens)
    if rows.audit_batch is not None:
        audit_batch_save(rows.audit_batch)
    elif rows.events is not None:
        audit_record_many(actor=acting_user, events=rows.events)
