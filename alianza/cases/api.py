"""API operations of the case registry: cases, persons, participations and route events.

Every operation goes through the same services and selectors as the web pages, so it sees and
masks exactly what the pages do. Updates carry the `version` they were based on; a stale one is
answered with 409 and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from alianza.accounts import authz
from alianza.api.pagination import MAX_LIMIT, MAX_OFFSET
from alianza.api.schemas import ErrorOut, InputSchema, IsoDate
from alianza.api.security import request_user
from alianza.cases import selectors, services
from alianza.cases.choices import (
    CaseSource,
    CaseStatus,
    CrimeType,
    CrossingType,
    Department,
    LegalArticle,
    RouteEventType,
    Sensitivity,
    TransportMode,
    Vocabulary,
)
from alianza.cases.models import Case, ReferenceTerm, RouteEvent
from alianza.core.errors import NotFound
from alianza.people import selectors as people_selectors
from alianza.people import services as people_services
from alianza.people.choices import ParticipationRole
from alianza.people.models import Participation, Person

router = Router(tags=["cases"])
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
}


class Page(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


# --- cases -------------------------------------------------------------------------------------


class CaseQuery(Page):
    q: str = Field("", description="Words to find in names (where you may see identities), references and narratives.")
    crime_type: CrimeType | None = Field(None, description="trafficking, smuggling or related.")
    status: CaseStatus | None = Field(None, description="HTCDS case status.")
    year: int | None = Field(None, ge=1900, le=2100, description="Year the case was reported.")
    department: Department | None = Field(None, description="ISO 3166-2:BO code, e.g. BO-L.")
    exploitation_form: str = Field("", description="Code of a form of exploitation (see /reference/terms).")
    institution: int | None = Field(None, description="Owning institution id.")
    exploitation_country: str = Field("", description="ISO 3166-1 alpha-3 code of a country of exploitation.")
    sort: str = Field("-reported_on", description="One of: " + ", ".join(selectors.SORTS))


class CaseOut(Schema):
    id: int
    reference: str
    crime_type: str
    legal_article: str
    status: str
    closure_reason: str
    owner_institution_id: int
    reported_on: dt.date
    first_incident_on: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown.")
    department: str
    municipality: str
    source: str
    narrative: str | None = Field(description="Null when your access does not include the case summary.")
    sensitivity: str
    exploitation_forms: list[str]
    exploitation_countries: list[str]
    version: int
    updated_at: dt.datetime
    categories: list[str] = Field(description="The data categories of this case you may see.")


class CaseListOut(Schema):
    count: int
    items: list[CaseOut]


class CaseIn(InputSchema):
    crime_type: CrimeType
    legal_article: LegalArticle | None = Field(None, description="Filled in for trafficking and smuggling.")
    status: CaseStatus = CaseStatus.ACTIVE
    closure_reason: str = Field("", description="Required when the status is Closed or ClosedReferred.")
    reported_on: IsoDate
    first_incident_on: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    department: Department | None = None
    municipality: str = Field("", max_length=100)
    source: CaseSource
    narrative: str = ""
    sensitivity: Sensitivity = Sensitivity.NORMAL
    exploitation_forms: list[str] = Field(default_factory=list, description="Codes of forms of exploitation.")

    def to_input(self) -> services.CaseInput:
        return services.CaseInput(
            crime_type=self.crime_type, legal_article=self.legal_article or "", status=self.status,
            closure_reason=self.closure_reason, reported_on=self.reported_on,
            first_incident_on=self.first_incident_on, department=self.department or "",
            municipality=self.municipality, source=self.source, narrative=self.narrative,
            sensitivity=self.sensitivity, exploitation_forms=tuple(self.exploitation_forms),
        )


class CaseUpdateIn(CaseIn):
    version: int = Field(description="The version you read; a newer one on the server means 409.")


class ShareIn(InputSchema):
    categories: list[authz.Category] = Field(description="Data categories to share; empty removes the share.")


def case_out(case: Case, categories: frozenset[authz.Category]) -> CaseOut:
    return CaseOut(
        id=case.pk, reference=case.reference, crime_type=case.crime_type, legal_article=case.legal_article,
        status=case.status, closure_reason=case.closure_reason, owner_institution_id=case.owner_institution_id,
        reported_on=case.reported_on, first_incident_on=case.first_incident_on, department=case.department,
        municipality=case.municipality, source=case.source,
        narrative=case.narrative if authz.Category.CASE_SUMMARY in categories else None,
        sensitivity=case.sensitivity, exploitation_forms=[t.code for t in case.exploitation_forms.all()],
        exploitation_countries=case.exploitation_countries.split(), version=case.version,
        updated_at=case.updated_at, categories=sorted(categories),
    )


def _read_case(request: HttpRequest, case_id: int) -> CaseOut:
    user = request_user(request)
    detail = selectors.case_get(acting_user=user, case_id=case_id, with_history=False, shows_identities=False)
    return case_out(detail.case, detail.categories)


@router.get("/cases", response={200: CaseListOut, **ERRORS})
def case_list(request: HttpRequest, query: Query[CaseQuery]) -> CaseListOut:
    """Cases you may see, filtered, sorted and paginated."""
    user = request_user(request)
    filters = selectors.CaseFilter(
        q=query.q, crime_type=query.crime_type or "", status=query.status or "", year=query.year,
        department=query.department or "", exploitation_form=query.exploitation_form,
        institution=query.institution, exploitation_country=query.exploitation_country, sort=query.sort,
    )
    cases = selectors.case_list(acting_user=user, filters=filters)
    page = list(cases[query.offset : query.offset + query.limit])
    return CaseListOut(
        count=cases.count(),
        items=[case_out(case, selectors.case_categories_of(user, case)) for case in page],
    )


@router.post("/cases", response={201: CaseOut, **ERRORS})
def case_create(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    """Register a case for your institution; the reference is issued by the node."""
    user = request_user(request)
    case = services.case_create(acting_user=user, data=payload.to_input())
    return Status(201, _read_case(request, case.pk))


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS})
def case_read(request: HttpRequest, case_id: int) -> CaseOut:
    """One case; 404 when it does not exist or you may not see it."""
    return _read_case(request, case_id)


@router.put("/cases/{case_id}", response={200: CaseOut, **ERRORS})
def case_update(request: HttpRequest, case_id: int, payload: CaseUpdateIn) -> CaseOut:
    """Replace a case's fields. 409 when `version` is not the current one."""
    services.case_update(
        acting_user=request_user(request), case_id=case_id, expected_version=payload.version, data=payload.to_input()
    )
    return _read_case(request, case_id)


@router.delete("/cases/{case_id}", response={204: None, **ERRORS})
def case_delete(request: HttpRequest, case_id: int, version: int) -> Status[None]:
    """Delete a case and its participations and route. 409 when `version` is not the current one."""
    services.case_delete(acting_user=request_user(request), case_id=case_id, expected_version=version)
    return Status(204, None)


@router.put("/cases/{case_id}/shares/{institution_id}", response={200: CaseOut, **ERRORS})
def case_share(request: HttpRequest, case_id: int, institution_id: int, payload: ShareIn) -> CaseOut:
    """Share data categories of your institution's case with another institution."""
    services.case_share_set(
        acting_user=request_user(request), case_id=case_id, institution_id=institution_id,
        categories=[str(c) for c in payload.categories],
    )
    return _read_case(request, case_id)


# --- persons -----------------------------------------------------------------------------------


class DocumentSchema(InputSchema):
    number: str = Field(max_length=40, description="As written on the document or the form.")
    document_type: str = Field("", description="CI, DNI, CPF, PASSPORT or OTHER; guessed from the country when empty.")
    issuing_country: str = Field("", description="Country name or ISO code.")


class DocumentOut(Schema):
    document_type: str
    issuing_country: str
    number_as_entered: str
    number_normalized: str


class ContactSchema(InputSchema):
    kind: str = Field(description="phone, email, address or social.")
    value: str = Field(max_length=200)


class PersonIn(InputSchema):
    given_names: str = Field("", max_length=120)
    first_surname: str = Field("", max_length=80, description="Paternal surname.")
    second_surname: str = Field("", max_length=80, description="Maternal surname.")
    aliases: list[str] = Field(default_factory=list)
    sex: str = Field("", description="F, M, X or empty.")
    gender: str = Field("", description="HTCDS prs_Gender value.")
    birth_date: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    citizenships: list[str] = Field(default_factory=list, description="Country names or ISO codes.")
    languages: list[str] = Field(default_factory=list, description="ISO 639 codes.")
    indigenous_people: str = ""
    has_disability: bool | None = None
    disability_details: str = ""
    education: str = Field("", description="HTCDS prs_HighestLevelOfEducation value.")
    documents: list[DocumentSchema] = Field(default_factory=list)
    contacts: list[ContactSchema] = Field(default_factory=list)

    def to_input(self) -> people_services.PersonInput:
        data = self.dict(exclude={"documents", "contacts", "version"})
        for name in ("aliases", "citizenships", "languages"):
            data[name] = tuple(data[name])
        return people_services.PersonInput(
            **data,
            documents=tuple(people_services.DocumentInput(**d.dict()) for d in self.documents),
            contacts=tuple(people_services.ContactInput(**c.dict()) for c in self.contacts),
        )


class PersonUpdateIn(PersonIn):
    version: int


class PersonOut(Schema):
    id: int
    identity_visible: bool
    label: str = Field(description="The name, or a numbered role such as 'Victim 1' when masked.")
    given_names: str | None = None
    first_surname: str | None = None
    second_surname: str | None = None
    aliases: list[str] | None = None
    sex: str
    birth_date: str | None = None
    citizenships: list[str]
    documents: list[DocumentOut] | None = None
    version: int
    case_ids: list[int] = Field(default_factory=list, description="Cases you may see that the person appears in.")


class PersonListOut(Schema):
    count: int
    items: list[PersonOut]


def person_out(person: Person, *, visible: bool, label: str, case_ids: list[int] | None = None) -> PersonOut:
    out = PersonOut(
        id=person.pk, identity_visible=visible, label=label, sex=person.sex,
        citizenships=person.citizenships, version=person.version, case_ids=case_ids or [],
    )
    if visible:
        out.given_names, out.first_surname, out.second_surname = person.given_names, person.first_surname, person.second_surname
        out.aliases, out.birth_date = person.aliases, person.birth_date
        out.documents = [DocumentOut.from_orm(d) for d in person.documents.all()]
    return out


def _read_person(request: HttpRequest, person_id: int) -> PersonOut:
    detail = people_selectors.person_get(acting_user=request_user(request), person_id=person_id)
    return person_out(
        detail.person, visible=detail.identity_visible, label=detail.label, case_ids=[c.case.pk for c in detail.cases]
    )


class PersonQuery(Page):
    q: str = Field("", description="Words of the name; accents and capitals do not matter.")


@router.get("/persons", response={200: PersonListOut, **ERRORS})
def person_list(request: HttpRequest, query: Query[PersonQuery]) -> PersonListOut:
    """Persons whose identity you may see (recorded by your institution or in your cases)."""
    persons = people_selectors.person_list(acting_user=request_user(request), q=query.q)
    page = persons[query.offset : query.offset + query.limit]
    return PersonListOut(
        count=persons.count(),
        items=[person_out(p, visible=True, label=p.full_name or (p.aliases[0] if p.aliases else "")) for p in page],
    )


@router.post("/persons", response={201: PersonOut, **ERRORS})
def person_create(request: HttpRequest, payload: PersonIn) -> Status[PersonOut]:
    """Record a person; names, documents, dates, countries and phones are normalised."""
    person = people_services.person_create(acting_user=request_user(request), data=payload.to_input())
    return Status(201, person_out(person, visible=True, label=person.full_name))


@router.get("/persons/{person_id}", response={200: PersonOut, **ERRORS})
def person_read(request: HttpRequest, person_id: int) -> PersonOut:
    """One person, masked unless you may see their identity. Reading a victim's identity is audited."""
    return _read_person(request, person_id)


@router.put("/persons/{person_id}", response={200: PersonOut, **ERRORS})
def person_update(request: HttpRequest, person_id: int, payload: PersonUpdateIn) -> PersonOut:
    """Replace a person's data. 409 when `version` is not the current one."""
    people_services.person_update(
        acting_user=request_user(request), person_id=person_id, expected_version=payload.version,
        data=payload.to_input(),
    )
    return _read_person(request, person_id)


# --- participations ----------------------------------------------------------------------------


class ParticipationIn(InputSchema):
    role: ParticipationRole
    trafficking_status: str = Field("", description="HTCDS vic_TraffickingStatus (victims).")
    status_decided_by: str = Field("", description="HTCDS vic_TraffickingStatusDecisionMakingOrg.")
    age_when_trafficked: int | None = Field(None, ge=0, le=120, description="Computed from the dates when omitted.")
    relationship_to_trafficker: str = ""
    recruitment_methods: list[str] = Field(default_factory=list, description="Reference term codes.")
    means_of_control: list[str] = Field(default_factory=list, description="Reference term codes.")
    exploitation_forms: list[str] = Field(default_factory=list, description="Reference term codes.")
    forced_labour_industry: str = Field("", description="ISIC section code, e.g. B.")
    sexual_exploitation_types: list[str] = Field(default_factory=list)
    recruitment_websites: list[str] = Field(default_factory=list)
    exploitation_websites: list[str] = Field(default_factory=list)
    roles_in_process: list[str] = Field(default_factory=list, description="HTCDS per_RoleInProcess (suspects).")
    last_seen_on: str = Field("", description="Missing persons: YYYY, YYYY-MM or YYYY-MM-DD.")
    last_seen_place: str = ""
    last_seen_country: str = ""
    version: int | None = Field(None, description="The case version you read; 409 when it is stale.")

    def to_input(self) -> people_services.ParticipationInput:
        data = self.dict(exclude={"version", "person_id"})
        for name, value in data.items():
            if isinstance(value, list):
                data[name] = tuple(value)
        return people_services.ParticipationInput(**data)


class ParticipationCreateIn(ParticipationIn):
    person_id: int


class ParticipationOut(Schema):
    id: int
    case_id: int
    role: str
    person_id: int | None = Field(description="Null when you may not see this person's identity.")
    label: str
    trafficking_status: str
    age_when_trafficked: int | None
    exploitation_forms: list[str]
    means_of_control: list[str]
    recruitment_methods: list[str]
    forced_labour_industry: str | None
    roles_in_process: list[str]
    proceeding_stage: str | None


def participation_out(view: selectors.ParticipantView) -> ParticipationOut:
    p = view.participation
    proceeding = getattr(p, "proceeding", None)  # absent: RelatedObjectDoesNotExist is an AttributeError
    return ParticipationOut(
        id=p.pk, case_id=p.case_id, role=p.role, person_id=p.person_id if view.identity_visible else None,
        label=view.label, trafficking_status=p.trafficking_status, age_when_trafficked=p.age_when_trafficked,
        exploitation_forms=[t.code for t in p.exploitation_forms.all()],
        means_of_control=[t.code for t in p.means_of_control.all()],
        recruitment_methods=[t.code for t in p.recruitment_methods.all()],
        forced_labour_industry=p.forced_labour_industry.code if p.forced_labour_industry else None,
        roles_in_process=p.roles_in_process, proceeding_stage=proceeding.stage if proceeding else None,
    )


def _participant(request: HttpRequest, participation: Participation) -> ParticipationOut:
    detail = selectors.case_get(acting_user=request_user(request), case_id=participation.case_id, with_history=False)
    for view in detail.participants:
        if view.participation.pk == participation.pk:
            return participation_out(view)
    raise NotFound("There is no such participation.")


@router.get("/cases/{case_id}/participations", response={200: list[ParticipationOut], **ERRORS})
def participation_list(request: HttpRequest, case_id: int) -> list[ParticipationOut]:
    """The people in a case, each masked unless you may see their role's identity."""
    detail = selectors.case_get(acting_user=request_user(request), case_id=case_id, with_history=False)
    return [participation_out(view) for view in detail.participants]


@router.post("/cases/{case_id}/participations", response={201: ParticipationOut, **ERRORS})
def participation_create(request: HttpRequest, case_id: int, payload: ParticipationCreateIn) -> Status[ParticipationOut]:
    """Add a recorded person to a case with a role and the HTCDS fields of that role."""
    participation = people_services.participation_create(
        acting_user=request_user(request), case_id=case_id, person_id=payload.person_id,
        data=payload.to_input(), expected_version=payload.version,
    )
    return Status(201, _participant(request, participation))


@router.put("/participations/{participation_id}", response={200: ParticipationOut, **ERRORS})
def participation_update(request: HttpRequest, participation_id: int, payload: ParticipationIn) -> ParticipationOut:
    """Replace a participation's role fields."""
    participation = people_services.participation_update(
        acting_user=request_user(request), participation_id=participation_id, data=payload.to_input(),
        expected_version=payload.version,
    )
    return _participant(request, participation)


@router.delete("/participations/{participation_id}", response={204: None, **ERRORS})
def participation_delete(request: HttpRequest, participation_id: int, version: int | None = None) -> Status[None]:
    """Remove a person from a case (the person record stays)."""
    people_services.participation_delete(
        acting_user=request_user(request), participation_id=participation_id, expected_version=version
    )
    return Status(204, None)


# --- route events ------------------------------------------------------------------------------


class RouteEventIn(InputSchema):
    event_type: RouteEventType
    country: str = Field(description="Country name or ISO code.")
    department: Department | None = Field(None, description="Only for places in Bolivia.")
    city: str = Field("", max_length=100)
    border_crossing: str = Field("", description="Border crossing code (see the admin's list), e.g. desaguadero.")
    date: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    transport_mode: TransportMode = TransportMode.UNKNOWN
    crossing: CrossingType = CrossingType.NOT_A_CROSSING
    description: str = ""
    version: int | None = Field(None, description="The case version you read; 409 when it is stale.")

    def to_input(self) -> services.RouteEventInput:
        data = self.dict(exclude={"version"})
        data["department"] = data["department"] or ""
        return services.RouteEventInput(**data)


class RouteEventOut(Schema):
    id: int
    case_id: int
    position: int
    event_type: str
    country: str
    department: str
    city: str
    border_crossing: str | None
    date: str
    transport_mode: str
    crossing: str
    description: str


def route_event_out(event: RouteEvent) -> RouteEventOut:
    return RouteEventOut(
        id=event.pk, case_id=event.case_id, position=event.position, event_type=event.event_type,
        country=event.country, department=event.department, city=event.city,
        border_crossing=event.border_crossing.code if event.border_crossing else None, date=event.date,
        transport_mode=event.transport_mode, crossing=event.crossing, description=event.description,
    )


@router.get("/cases/{case_id}/route-events", response={200: list[RouteEventOut], **ERRORS})
def route_event_list(request: HttpRequest, case_id: int) -> list[RouteEventOut]:
    """The case's route in order; empty when your access does not include routes."""
    detail = selectors.case_get(
        acting_user=request_user(request), case_id=case_id, with_history=False, shows_identities=False
    )
    return [route_event_out(e) for e in detail.route]


@router.post("/cases/{case_id}/route-events", response={201: RouteEventOut, **ERRORS})
def route_event_create(request: HttpRequest, case_id: int, payload: RouteEventIn) -> Status[RouteEventOut]:
    """Append an event to the end of the case's route."""
    event = services.route_event_create(
        acting_user=request_user(request), case_id=case_id, data=payload.to_input(), expected_version=payload.version
    )
    return Status(201, route_event_out(event))


@router.put("/route-events/{event_id}", response={200: RouteEventOut, **ERRORS})
def route_event_update(request: HttpRequest, event_id: int, payload: RouteEventIn) -> RouteEventOut:
    """Replace a route event's fields (its position stays)."""
    event = services.route_event_update(
        acting_user=request_user(request), event_id=event_id, data=payload.to_input(), expected_version=payload.version
    )
    return route_event_out(event)


@router.delete("/route-events/{event_id}", response={204: None, **ERRORS})
def route_event_delete(request: HttpRequest, event_id: int, version: int | None = None) -> Status[None]:
    """Remove an event from the route."""
    services.route_event_delete(acting_user=request_user(request), event_id=event_id, expected_version=version)
    return Status(204, None)


# --- reference data ----------------------------------------------------------------------------


class TermOut(Schema):
    vocabulary: str
    code: str
    htcds_value: str
    label: str


@router.get("/reference/terms", response={200: list[TermOut], **ERRORS})
def reference_term_list(request: HttpRequest, vocabulary: Vocabulary | None = None) -> list[TermOut]:
    """The taxonomies' codes with labels in the request's language."""
    terms = ReferenceTerm.objects.filter(is_active=True)
    if vocabulary:
        terms = terms.filter(vocabulary=vocabulary)
    return [TermOut(vocabulary=t.vocabulary, code=t.code, htcds_value=t.htcds_value, label=t.label) for t in terms]


__all__ = ["router"]
