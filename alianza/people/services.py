"""Writes for persons and their participations in cases.

Every value goes through the normalisers of `alianza.normalize`, the same ones imports, exchange
and linkage use: names keep their display form and get a folded search key, identity documents
keep the number as entered beside its normalised form, phones become E.164.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.services import audit_record
from alianza.cases.choices import RouteEventType, Vocabulary, values_of
from alianza.cases.fields import parse_partial
from alianza.cases.models import Case, RouteEvent
from alianza.cases.services import (
    Problems,
    ReferenceLookup,
    case_for_update,
    case_refresh_search,
    case_touch,
    shares_of,
    terms_by_code,
)
from alianza.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from alianza.linkage.services import missing_person_matches_check
from alianza.normalize import (
    NormalizationError,
    PartialDate,
    fold,
    normalize_country,
    normalize_date,
    normalize_document,
    normalize_given_names,
    normalize_phone,
    normalize_surname,
)
from alianza.people.choices import (
    ContactKind,
    Education,
    Gender,
    ParticipationRole,
    RelationshipToTrafficker,
    RoleInProcess,
    Sex,
    SexualExploitationType,
    StatusDecidedBy,
    TraffickingStatus,
    WebsiteOrApp,
)
from alianza.people.models import Contact, IdentityDocument, Participation, Person


@dataclass(frozen=True)
class DocumentInput:
    number: str
    document_type: str = ""
    issuing_country: str = ""


@dataclass(frozen=True)
class ContactInput:
    kind: str
    value: str


@dataclass(frozen=True)
class PersonInput:
    given_names: str = ""
    first_surname: str = ""
    second_surname: str = ""
    aliases: tuple[str, ...] = ()
    sex: str = ""
    gender: str = ""
    birth_date: str = ""
    citizenships: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    indigenous_people: str = ""
    has_disability: bool | None = None
    disability_details: str = ""
    education: str = ""
    documents: tuple[DocumentInput, ...] = ()
    contacts: tuple[ContactInput, ...] = ()


@dataclass(frozen=True)
class ParticipationInput:
    role: str
    trafficking_status: str = ""
    status_decided_by: str = ""
    age_when_trafficked: int | None = None
    relationship_to_trafficker: str = ""
    recruitment_methods: tuple[str, ...] = ()
    means_of_control: tuple[str, ...] = ()
    exploitation_forms: tuple[str, ...] = ()
    forced_labour_industry: str = ""
    sexual_exploitation_types: tuple[str, ...] = ()
    recruitment_websites: tuple[str, ...] = ()
    exploitation_websites: tuple[str, ...] = ()
    roles_in_process: tuple[str, ...] = ()
    last_seen_on: str = ""
    last_seen_place: str = ""
    last_seen_country: str = ""


# --- persons -----------------------------------------------------------------------------------


def _name(value: str, normaliser: Any, field: str, problems: Problems) -> str:
    if not value.strip():
        return ""
    try:
        return str(normaliser(value))
    except NormalizationError as exc:
        problems.add(field, exc.message)
        return value


def _clean_person(data: PersonInput, problems: Problems) -> dict[str, Any]:
    values: dict[str, Any] = {
        "given_names": _name(data.given_names, normalize_given_names, "given_names", problems),
        "first_surname": _name(data.first_surname, normalize_surname, "first_surname", problems),
        "second_surname": _name(data.second_surname, normalize_surname, "second_surname", problems),
        "aliases": [a.strip() for a in data.aliases if a.strip()],
        "sex": data.sex,
        "gender": data.gender,
        "indigenous_people": data.indigenous_people.strip(),
        "has_disability": data.has_disability,
        "disability_details": data.disability_details.strip(),
        "education": data.education,
        "languages": sorted({code.strip().lower() for code in data.languages if code.strip()}),
        "birth_date": "",
        "citizenships": [],
    }
    if not (values["given_names"] or values["first_surname"] or values["aliases"]):
        problems.add("given_names", _("Give at least a given name, a surname or an alias."))
    if data.sex not in values_of(Sex):
        problems.add("sex", _("Unknown sex value."))
    if data.gender and data.gender not in values_of(Gender):
        problems.add("gender", _("Unknown gender value."))
    if data.education and data.education not in values_of(Education):
        problems.add("education", _("Unknown level of education."))
    if data.birth_date:
        try:
            values["birth_date"] = normalize_date(data.birth_date).isoformat()
        except NormalizationError as exc:
            problems.add("birth_date", exc.message)
    for country in data.citizenships:
        if not country.strip():
            continue
        try:
            code = normalize_country(country)
        except NormalizationError as exc:
            problems.add("citizenships", exc.message)
        else:
            if code not in values["citizenships"]:
                values["citizenships"].append(code)
    for code in values["languages"]:
        if not (code.isalpha() and len(code) in (2, 3)):
            problems.add("languages", _("Use ISO 639 language codes such as spa, aym or que."))
    return values


@dataclass(frozen=True)
class DocumentValues:
    """An identity document as stored (`IdentityDocument` without its person)."""

    document_type: str
    issuing_country: str
    number_as_entered: str
    number_normalized: str
    complement: str
    extension: str


@dataclass(frozen=True)
class ContactValues:
    """A contact as stored (`Contact` without its person)."""

    kind: str
    value: str
    value_normalized: str


def _clean_documents(documents: Iterable[DocumentInput], problems: Problems) -> list[DocumentValues]:
    cleaned = []
    for index, doc in enumerate(documents):
        if not doc.number.strip():
            continue
        try:
            normalized = normalize_document(
                doc.number, document_type=doc.document_type or None, country=doc.issuing_country or None
            )
        except NormalizationError as exc:
            problems.add(f"documents.{index}.{exc.field}", exc.message)
            continue
        cleaned.append(
            DocumentValues(
                document_type=str(normalized.type),
                issuing_country=normalized.country or "",
                number_as_entered=doc.number.strip(),
                number_normalized=normalized.match_key,
                complement=normalized.complement or "",
                extension=normalized.extension or "",
            )
        )
    return cleaned


def _clean_contacts(contacts: Iterable[ContactInput], country: str, problems: Problems) -> list[ContactValues]:
    cleaned = []
    for index, contact in enumerate(contacts):
        value = contact.value.strip()
        if not value:
            continue
        if contact.kind not in values_of(ContactKind):
            problems.add(f"contacts.{index}.kind", _("Unknown kind of contact."))
            continue
        normalized = value
        if contact.kind == ContactKind.PHONE:
            try:
                normalized = normalize_phone(value, default_country=country or "BOL")
            except NormalizationError as exc:
                problems.add(f"contacts.{index}.value", exc.message)
                continue
        elif contact.kind == ContactKind.EMAIL:
            normalized = value.lower()
            if "@" not in normalized:
                problems.add(f"contacts.{index}.value", _("This is not an email address."))
                continue
        else:
            normalized = fold(value)
        cleaned.append(ContactValues(kind=contact.kind, value=value, value_normalized=normalized))
    return cleaned


def _names_text(values: dict[str, Any]) -> str:
    """The folded names of a person, for search (`fold` of them all, one name at a time: the same
    words, and each name's fold is cached, which an import of many people with few names needs)."""
    parts = [values["given_names"], values["first_surname"], values["second_surname"], *values["aliases"]]
    return " ".join(folded for folded in (fold(p) for p in parts if p) if folded)


@dataclass
class CleanPerson:
    """A person's values as the services store them: fields, documents, contacts, search key."""

    values: dict[str, Any]
    documents: list[DocumentValues] = field(default_factory=list)
    contacts: list[ContactValues] = field(default_factory=list)
    names_text: str = ""


def clean_person(data: PersonInput, problems: Problems) -> CleanPerson:
    """The one validation and normalisation of a person: forms, the API and imports share it."""
    values = _clean_person(data, problems)
    documents = _clean_documents(data.documents, problems)
    contacts = _clean_contacts(data.contacts, (values["citizenships"] or ["BOL"])[0], problems)
    return CleanPerson(values, documents, contacts, _names_text(values))


def person_changed_fields(person: CleanPerson) -> list[str]:
    """The field names an audit entry of the person's creation lists."""
    changed = [name for name, value in person.values.items() if value not in ("", [], None)]
    return changed + (["documents"] if person.documents else []) + (["contacts"] if person.contacts else [])


def person_writable(user: Any, person: Person) -> bool:
    """The recording institution's case team, or an editor of any case the person appears in."""
    if not authz.has_perm(user, authz.Perm.CASE_EDIT):
        return False
    if person.owner_institution_id == user.institution_id:
        return True
    cases = Case.objects.filter(participations__person=person).prefetch_related("shares").distinct()
    return any(
        authz.case_editable(user, owner_institution_id=c.owner_institution_id, shares=shares_of(c)) for c in cases
    )


def person_create_check(acting_user: Any) -> None:
    """Refuse a user whose role may not record persons."""
    if acting_user is not None and not authz.has_perm(acting_user, authz.Perm.CASE_EDIT):
        raise PermissionDenied(_("Your role does not allow you to record persons."))


def person_create_in_transaction(*, acting_user: Any, data: PersonInput, source_record_id: str = "", owner_institution: Any = None) -> Person:
    person_create_check(acting_user)
    problems = Problems()
    clean = clean_person(data, problems)
    problems.raise_if_any(_("The person is not valid; correct the marked fields."))
    person = Person.objects.create(
        **clean.values,
        names_text=clean.names_text,
        owner_institution=owner_institution or acting_user.institution,
        source_record_id=source_record_id,
        created_by=acting_user,
    )
    IdentityDocument.objects.bulk_create([IdentityDocument(person=person, **asdict(d)) for d in clean.documents])
    Contact.objects.bulk_create([Contact(person=person, **asdict(c)) for c in clean.contacts])
    audit_record(actor=acting_user, action="person.create", obj=person, changed_fields=person_changed_fields(clean))
    return person


def person_create(*, acting_user: Any, data: PersonInput) -> Person:
    with transaction.atomic(durable=True):
        return person_create_in_transaction(acting_user=acting_user, data=data)


def person_update(*, acting_user: Any, person_id: int, expected_version: int, data: PersonInput) -> Person:
    """Replace a person's data (documents and contacts included). `Conflict` on a stale version."""
    with transaction.atomic(durable=True):
        person = Person.objects.select_for_update().filter(pk=person_id).first()
        if person is None:
            raise NotFound(_("There is no such person, or you may not see them."))
        if not person_writable(acting_user, person):
            raise PermissionDenied(_("Your role or institution does not allow you to change this person."))
        if person.version != expected_version:
            raise Conflict(
                _(
                    "Someone else saved this person while you were editing. Nothing was overwritten: "
                    "reload the page, review their changes and make yours again."
                ),
                extra={"current_version": person.version},
            )
        problems = Problems()
        clean = clean_person(data, problems)
        values, documents, contacts = clean.values, clean.documents, clean.contacts
        problems.raise_if_any(_("The person is not valid; correct the marked fields."))
        changed = [name for name, value in values.items() if getattr(person, name) != value]
        for name in changed:
            setattr(person, name, values[name])
        old_docs = sorted((d.document_type, d.number_normalized) for d in person.documents.all())
        if old_docs != sorted((d.document_type, d.number_normalized) for d in documents):
            changed.append("documents")
        old_contacts = sorted((c.kind, c.value_normalized) for c in person.contacts.all())
        if old_contacts != sorted((c.kind, c.value_normalized) for c in contacts):
            changed.append("contacts")
        if not changed:
            return person
        person.names_text = clean.names_text
        person.version += 1
        person.save()
        if "documents" in changed:
            person.documents.all().delete()
            IdentityDocument.objects.bulk_create([IdentityDocument(person=person, **asdict(d)) for d in documents])
        if "contacts" in changed:
            person.contacts.all().delete()
            Contact.objects.bulk_create([Contact(person=person, **asdict(c)) for c in contacts])
        for case in Case.objects.filter(participations__person=person).distinct():
            case_refresh_search(case)
        audit_record(actor=acting_user, action="person.update", obj=person, changed_fields=changed)
    return person


# --- participations ----------------------------------------------------------------------------


def _choices(values: Iterable[str], allowed: Collection[str], name: str, problems: Problems) -> list[str]:
    out = []
    for value in values:
        if value in allowed:
            if value not in out:
                out.append(value)
        elif value:
            problems.add(name, _("Unknown value: %(code)s.") % {"code": value})
    return out


def age_at(birth: PartialDate | None, event: PartialDate | None) -> int | None:
    """Whole years between a (partial) birth date and a (partial) event date, when knowable.

    With only years known the result may be one year too high; HTCDS asks for the age in
    years and accepts that precision.
    """
    if birth is None or event is None or event < birth:
        return None
    age = event.year - birth.year
    if birth.month and event.month and (event.month, event.day or 31) < (birth.month, birth.day or 1):
        age -= 1
    return max(age, 0)


def age_when_trafficked(*, birth_date: str, recruitment_dates: Iterable[str], first_incident_on: str) -> int | None:
    """A victim's age at the first recruitment on the route, else at the case's first incident."""
    first_recruitment = min((d for d in recruitment_dates if d), default="")
    return age_at(parse_partial(birth_date), parse_partial(first_recruitment or first_incident_on))


def _age_when_trafficked(case: Case, person: Person) -> int | None:
    dates = RouteEvent.objects.filter(case=case, event_type=RouteEventType.RECRUITMENT).values_list("date", flat=True)
    return age_when_trafficked(birth_date=person.birth_date, recruitment_dates=dates, first_incident_on=case.first_incident_on)


def clean_participation(
    data: ParticipationInput, problems: Problems, lookup: ReferenceLookup | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A role's field values and its reference terms, checked (the one validation of a role)."""
    if data.role not in values_of(ParticipationRole):
        problems.add("role", _("Choose victim, suspect, witness, complainant or missing person."))
    is_victim = data.role in (ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON)
    values: dict[str, Any] = {
        "role": data.role,
        "trafficking_status": data.trafficking_status if is_victim else "",
        "status_decided_by": data.status_decided_by if is_victim else "",
        "age_when_trafficked": data.age_when_trafficked if is_victim else None,
        "relationship_to_trafficker": data.relationship_to_trafficker if is_victim else "",
        "sexual_exploitation_types": _choices(
            data.sexual_exploitation_types if is_victim else (), values_of(SexualExploitationType),
            "sexual_exploitation_types", problems,
        ),
        "recruitment_websites": _choices(
            data.recruitment_websites if is_victim else (), values_of(WebsiteOrApp), "recruitment_websites", problems
        ),
        "exploitation_websites": _choices(
            data.exploitation_websites if is_victim else (), values_of(WebsiteOrApp), "exploitation_websites", problems
        ),
        "roles_in_process": _choices(
            data.roles_in_process if data.role == ParticipationRole.SUSPECT else (), values_of(RoleInProcess),
            "roles_in_process", problems,
        ),
        "last_seen_on": "",
        "last_seen_place": data.last_seen_place.strip() if data.role == ParticipationRole.MISSING_PERSON else "",
        "last_seen_country": "",
        "forced_labour_industry": None,
    }
    for name, allowed in (
        ("trafficking_status", values_of(TraffickingStatus)),
        ("status_decided_by", values_of(StatusDecidedBy)),
        ("relationship_to_trafficker", values_of(RelationshipToTrafficker)),
    ):
        if values[name] and values[name] not in allowed:
            problems.add(name, _("Unknown value: %(code)s.") % {"code": values[name]})
    if values["age_when_trafficked"] is not None and not 0 <= values["age_when_trafficked"] <= 120:
        problems.add("age_when_trafficked", _("The age must be between 0 and 120."))
    if data.role == ParticipationRole.MISSING_PERSON:
        if data.last_seen_on:
            try:
                values["last_seen_on"] = normalize_date(data.last_seen_on).isoformat()
            except NormalizationError as exc:
                problems.add("last_seen_on", exc.message)
        if data.last_seen_country:
            try:
                values["last_seen_country"] = normalize_country(data.last_seen_country)
            except NormalizationError as exc:
                problems.add("last_seen_country", exc.message)
    terms: dict[str, Any] = {
        "recruitment_methods": terms_by_code(Vocabulary.RECRUITMENT_METHOD, data.recruitment_methods if is_victim else (), problems, "recruitment_methods", lookup),
        "means_of_control": terms_by_code(Vocabulary.MEANS_OF_CONTROL, data.means_of_control if is_victim else (), problems, "means_of_control", lookup),
        "exploitation_forms": terms_by_code(Vocabulary.EXPLOITATION_FORM, data.exploitation_forms if is_victim else (), problems, "exploitation_forms", lookup),
    }
    if is_victim and data.forced_labour_industry:
        industries = terms_by_code(Vocabulary.ISIC_INDUSTRY, [data.forced_labour_industry], problems, "forced_labour_industry", lookup)
        values["forced_labour_industry"] = industries[0] if industries else None
    return values, terms


def _person_usable(user: Any, person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not (
        person.owner_institution_id == user.institution_id
        or Case.objects.filter(Q(participations__person=person), owner_institution_id=user.institution_id).exists()
        or person_writable(user, person)
    ):
        raise NotFound(_("There is no such person, or you may not see them."))
    return person


def _save_participation(
    *, acting_user: Any, case: Case, participation: Participation, data: ParticipationInput, action: str
) -> Participation:
    problems = Problems()
    values, terms = clean_participation(data, problems)
    problems.raise_if_any(_("The participation is not valid; correct the marked fields."))
    if Participation.objects.filter(case=case, person=participation.person, role=data.role).exclude(pk=participation.pk).exists():
        raise ValidationFailed(_("This person already has that role in this case."))
    changed = [name for name, value in values.items() if getattr(participation, name) != value]
    # A new missing-person report or a new victim is compared with the other role (after commit).
    newly_in_role = (participation.pk is None or "role" in changed) and values["role"] in (
        ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON
    )
    for name, value in values.items():
        setattr(participation, name, value)
    if values["role"] in (ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON) and values["age_when_trafficked"] is None:
        participation.age_when_trafficked = _age_when_trafficked(case, participation.person)
    participation.case = case
    participation.save()
    for name, chosen in terms.items():
        manager = getattr(participation, name)
        if set(manager.values_list("pk", flat=True)) != {t.pk for t in chosen}:
            manager.set(chosen)
            changed.append(name)
    if terms["exploitation_forms"]:
        # A victim's forms of exploitation are forms of exploitation of the case.
        case.exploitation_forms.add(*terms["exploitation_forms"])
    case_touch(case)
    case_refresh_search(case)
    audit_record(
        actor=acting_user, action=action, obj=case,
        changed_fields=[f"participations.{name}" for name in changed] or ["participations"],
    )
    if newly_in_role:
        missing_person_matches_check(participation_ids=[participation.pk])
    return participation


def participation_create_in_transaction(*, acting_user: Any, case: Case, person: Person, data: ParticipationInput) -> Participation:
    return _save_participation(
        acting_user=acting_user, case=case, participation=Participation(person=person), data=data,
        action="case.participant_add",
    )


def participation_create(
    *, acting_user: Any, case_id: int, person_id: int, data: ParticipationInput, expected_version: int | None = None
) -> Participation:
    with transaction.atomic(durable=True):
        case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=expected_version)
        person = _person_usable(acting_user, person_id)
        return participation_create_in_transaction(acting_user=acting_user, case=case, person=person, data=data)


def _participation_for_update(*, acting_user: Any, participation_id: int, expected_version: int | None) -> Participation:
    case_id = Participation.objects.filter(pk=participation_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound(_("There is no such participation."))
    case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=expected_version)
    participation = Participation.objects.select_related("person").get(pk=participation_id)
    participation.case = case
    return participation


def participation_update(
    *, acting_user: Any, participation_id: int, data: ParticipationInput, expected_version: int | None = None
) -> Participation:
    with transaction.atomic(durable=True):
        participation = _participation_for_update(
            acting_user=acting_user, participation_id=participation_id, expected_version=expected_version
        )
        return _save_participation(
            acting_user=acting_user, case=participation.case, participation=participation, data=data,
            action="case.participant_update",
        )


def participation_delete(*, acting_user: Any, participation_id: int, expected_version: int | None = None) -> None:
    with transaction.atomic(durable=True):
        participation = _participation_for_update(
            acting_user=acting_user, participation_id=participation_id, expected_version=expected_version
        )
        case = participation.case
        participation.delete()
        case_touch(case)
        case_refresh_search(case)
        audit_record(actor=acting_user, action="case.participant_remove", obj=case, changed_fields=["participations"])


def participant_add(
    *,
    acting_user: Any,
    case_id: int,
    data: ParticipationInput,
    person: PersonInput | None = None,
    person_id: int | None = None,
    expected_version: int | None = None,
) -> Participation:
    """Add someone to a case in one transaction: an existing person by id, or a new one."""
    if (person is None) == (person_id is None):
        raise ValidationFailed(_("Give either an existing person or the details of a new one."))
    with transaction.atomic(durable=True):
        case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=expected_version)
        if person_id is not None:
            existing = _person_usable(acting_user, person_id)
        else:
            assert person is not None
            existing = person_create_in_transaction(acting_user=acting_user, data=person)
        return participation_create_in_transaction(acting_user=acting_user, case=case, person=existing, data=data)
