"""Writes to the case registry. Each runs in one durable transaction with its audit row.

Participations and route events are parts of their case: their writes are audited against the
case, so that the case's history in the audit trail tells its whole story.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.accounts.models import Institution
from alianza.audit.services import audit_record
from alianza.cases.choices import (
    ARTICLES_BY_CRIME,
    CLOSED_STATUSES,
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
    values_of,
)
from alianza.cases.models import (
    BorderCrossing,
    Case,
    CaseSearchToken,
    CaseSequence,
    CaseShare,
    ReferenceTerm,
    RouteEvent,
)
from alianza.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from alianza.normalize import NormalizationError, fold, normalize_country, normalize_date


@dataclass(frozen=True)
class CaseInput:
    """The fields of a case that users write, already parsed by a form, the API or an import."""

    crime_type: str
    reported_on: dt.date
    source: str
    legal_article: str = ""
    status: str = CaseStatus.ACTIVE
    closure_reason: str = ""
    first_incident_on: str = ""
    department: str = ""
    municipality: str = ""
    narrative: str = ""
    sensitivity: str = Sensitivity.NORMAL
    exploitation_forms: tuple[str, ...] = ()  # ReferenceTerm codes


@dataclass(frozen=True)
class RouteEventInput:
    event_type: str
    country: str
    department: str = ""
    city: str = ""
    border_crossing: str = ""  # BorderCrossing code
    date: str = ""
    transport_mode: str = TransportMode.UNKNOWN
    crossing: str = CrossingType.NOT_A_CROSSING
    description: str = ""


@dataclass
class Problems:
    """Field-level validation problems, raised together as one ValidationFailed."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_if_any(self, message: str) -> None:
        if self.by_field:
            raise ValidationFailed(message, extra={"fields": self.by_field})


# --- helpers shared with alianza.people ---------------------------------------------------------


def shares_of(case: Case) -> dict[int, frozenset[authz.Category]]:
    grouped: dict[int, set[authz.Category]] = {}
    for share in case.shares.all():
        grouped.setdefault(share.institution_id, set()).add(authz.Category(share.category))
    return {inst: frozenset(cats) for inst, cats in grouped.items()}


def case_for_update(*, acting_user: Any, case_id: int, expected_version: int | None) -> Case:
    """Lock the case, check the user may change it and that nobody changed it meanwhile."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or not authz.case_categories(
        acting_user,
        owner_institution_id=case.owner_institution_id,
        shares=shares_of(case),
        restricted=case.is_restricted,
    ):
        raise NotFound(_("There is no such case, or you may not see it."))
    if not authz.case_editable(acting_user, owner_institution_id=case.owner_institution_id, shares=shares_of(case)):
        raise PermissionDenied(_("Your role or institution does not allow you to change this case."))
    if expected_version is not None and case.version != expected_version:
        raise Conflict(
            _(
                "Someone else saved this case while you were editing it. Nothing was overwritten: "
                "reload the case, review their changes and make yours again."
            ),
            extra={"current_version": case.version},
        )
    return case


def case_touch(case: Case) -> None:
    """A change to the case or one of its parts: the next editor must start from this version."""
    case.version += 1
    case.save(update_fields=["version", "updated_at"])


def search_tokens(text: str) -> set[str]:
    """The folded words of `text` that search looks up (single letters are left out)."""
    return {word[:40] for word in fold(text).split() if len(word) > 1}


def case_search_columns(
    *,
    reference: str,
    municipality: str,
    narrative: str,
    names: Iterable[str],
    exploitation_countries: Iterable[str],
    exploitation_form_ids: Iterable[int],
) -> dict[str, str]:
    """The denormalised columns of a case, from its own fields, its participants' folded names
    (in the order they joined the case), the countries of its exploitation events and the ids of
    its forms of exploitation.

    The one rule for these columns: the services, imports and the demo world all call it.
    """
    countries = sorted(set(exploitation_countries))
    return {
        "search_text": fold(" ".join((reference, municipality, narrative))),
        "names_text": " | ".join(n for n in names if n),
        "exploitation_countries": " ".join(countries),
        "filter_keys": filter_keys(form_ids=exploitation_form_ids, countries=countries),
    }


def filter_keys(*, form_ids: Iterable[int], countries: Iterable[str]) -> str:
    """`Case.filter_keys`: a case's forms and countries of exploitation as padded words."""
    keys = [f"f{pk}" for pk in sorted(set(form_ids))] + [f"c{code}" for code in sorted(set(countries))]
    return f" {' '.join(keys)} " if keys else ""


def filter_key_form(term_id: int) -> str:
    return f" f{term_id} "


def filter_key_country(code: str) -> str:
    return f" c{code} "


def search_token_pairs(search_text: str, names_text: str) -> list[tuple[str, bool]]:
    """(token, is_name) for every CaseSearchToken row of a case with these search columns."""
    return [(t, False) for t in search_tokens(search_text)] + [(t, True) for t in search_tokens(names_text)]


def case_search_tokens(case: Case) -> list[CaseSearchToken]:
    return [
        CaseSearchToken(case=case, token=token, is_name=is_name, owner_institution_id=case.owner_institution_id)
        for token, is_name in search_token_pairs(case.search_text, case.names_text)
    ]


def case_refresh_search(case: Case) -> None:
    """Rebuild the folded search columns, their tokens and the exploitation countries."""
    from alianza.people.models import Person

    names = Person.objects.filter(participations__case=case).order_by("participations__id").values_list("names_text", flat=True)
    countries = RouteEvent.objects.filter(case=case, event_type=RouteEventType.EXPLOITATION).values_list("country", flat=True)
    forms = Case.exploitation_forms.through.objects.filter(case=case).values_list("referenceterm_id", flat=True)
    columns = case_search_columns(
        reference=case.reference, municipality=case.municipality, narrative=case.narrative,
        names=names, exploitation_countries=countries, exploitation_form_ids=forms,
    )
    for name, value in columns.items():
        setattr(case, name, value)
    case.save(update_fields=list(columns))
    CaseSearchToken.objects.filter(case=case).delete()
    CaseSearchToken.objects.bulk_create(case_search_tokens(case))


class ReferenceLookup:
    """Reference terms and border crossings by code, for the cleaning functions.

    A single write asks the database for the codes it names; an import or the demo world uses
    `ReferenceLookup.preloaded()`, which reads every vocabulary once, so that validating a
    hundred thousand rows costs no further queries. Both answer the same.
    """

    def __init__(self) -> None:
        self._terms: dict[str, dict[str, ReferenceTerm]] | None = None
        self._crossings: dict[str, BorderCrossing] | None = None

    @classmethod
    def preloaded(cls) -> ReferenceLookup:
        lookup = cls()
        lookup._terms = {}
        for term in ReferenceTerm.objects.all():
            lookup._terms.setdefault(term.vocabulary, {})[term.code] = term
        lookup._crossings = {c.code: c for c in BorderCrossing.objects.all()}
        return lookup

    def terms(self, vocabulary: str, codes: list[str]) -> dict[str, ReferenceTerm]:
        if self._terms is None:
            return {t.code: t for t in ReferenceTerm.objects.filter(vocabulary=vocabulary, code__in=codes)}
        known = self._terms.get(vocabulary, {})
        return {code: known[code] for code in codes if code in known}

    def crossing(self, code: str) -> BorderCrossing | None:
        if self._crossings is None:
            return BorderCrossing.objects.filter(code=code).first()
        return self._crossings.get(code)


# --- cases -------------------------------------------------------------------------------------


def terms_by_code(
    vocabulary: str, codes: Iterable[str], problems: Problems, name: str, lookup: ReferenceLookup | None = None
) -> list[ReferenceTerm]:
    if not codes:
        return []
    codes = list(dict.fromkeys(c for c in codes if c))
    if not codes:
        return []
    found = (lookup or ReferenceLookup()).terms(vocabulary, codes)
    for code in codes:
        if code not in found:
            problems.add(name, _("Unknown value: %(code)s.") % {"code": code})
    return [found[c] for c in codes if c in found]


def clean_case(
    data: CaseInput, problems: Problems, lookup: ReferenceLookup | None = None, *, today: dt.date | None = None
) -> tuple[dict[str, Any], list[ReferenceTerm]]:
    """A case's field values and forms of exploitation, checked; problems go to `problems`.

    The one validation of a case: forms, the API and imports all come through here. `today` is
    the local date (read once per file by an import).
    """
    values = _clean_case_fields(data, problems, today=today)
    forms = terms_by_code(Vocabulary.EXPLOITATION_FORM, data.exploitation_forms, problems, "exploitation_forms", lookup)
    return values, forms


def _clean_case_fields(data: CaseInput, problems: Problems, *, today: dt.date | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if data.crime_type not in values_of(CrimeType):
        problems.add("crime_type", _("Choose trafficking in persons, migrant smuggling or a related crime."))
    article = data.legal_article
    allowed = ARTICLES_BY_CRIME.get(data.crime_type, ())
    if not article and len(allowed) == 1:
        article = allowed[0]
    if data.crime_type in values_of(CrimeType) and article not in allowed:
        problems.add(
            "legal_article",
            _("This legal article does not define the chosen crime; trafficking and smuggling are different crimes."),
        )
    elif article and article not in values_of(LegalArticle):
        problems.add("legal_article", _("Unknown legal article."))
    if data.status not in values_of(CaseStatus):
        problems.add("status", _("Unknown status."))
    if data.status in CLOSED_STATUSES and not data.closure_reason.strip():
        problems.add("closure_reason", _("Give the reason for closing the case."))
    if data.source not in values_of(CaseSource):
        problems.add("source", _("Choose where the case came from."))
    if data.department and data.department not in values_of(Department):
        problems.add("department", _("Choose a Bolivian department."))
    if data.sensitivity not in values_of(Sensitivity):
        problems.add("sensitivity", _("Unknown sensitivity level."))
    if data.reported_on > (today or timezone.localdate()):
        problems.add("reported_on", _("The date reported is in the future."))
    first_incident = ""
    if data.first_incident_on:
        try:
            first_incident = normalize_date(data.first_incident_on).isoformat()
        except NormalizationError as exc:
            problems.add("first_incident_on", exc.message)
        else:
            if first_incident[:4] > data.reported_on.isoformat()[:4]:
                problems.add("first_incident_on", _("The first incident cannot come after the case was reported."))
    values.update(
        crime_type=data.crime_type,
        legal_article=article,
        status=data.status,
        closure_reason=data.closure_reason.strip() if data.status in CLOSED_STATUSES else "",
        reported_on=data.reported_on,
        first_incident_on=first_incident,
        department=data.department,
        municipality=data.municipality.strip(),
        source=data.source,
        narrative=data.narrative.strip(),
        sensitivity=data.sensitivity,
    )
    return values


def _next_reference(year: int) -> str:
    sequence, _created = CaseSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{settings.ALIANZA_NODE_COUNTRY}-{year}-{sequence.last_number:06d}"


def case_owner_for_create(*, acting_user: Any, owner_institution: Institution | None = None) -> Institution:
    """The institution that will own a new case, once `acting_user` may register it there."""
    if not authz.has_perm(acting_user, authz.Perm.CASE_CREATE) and acting_user is not None:
        raise PermissionDenied(_("Your role does not allow you to register cases."))
    owner = owner_institution or getattr(acting_user, "institution", None)
    if owner is None:
        raise ValidationFailed(_("A case needs an owning institution."))
    if acting_user is not None and owner.pk != acting_user.institution_id:
        raise PermissionDenied(_("You can only register cases for your own institution."))
    return owner


def case_create_in_transaction(
    *,
    acting_user: Any,
    data: CaseInput,
    owner_institution: Institution | None = None,
    source_record_id: str = "",
) -> Case:
    """`case_create` for callers that already hold a transaction."""
    owner = case_owner_for_create(acting_user=acting_user, owner_institution=owner_institution)
    problems = Problems()
    values, forms = clean_case(data, problems)
    problems.raise_if_any(_("The case is not valid; correct the marked fields."))
    case = Case(
        **values,
        reference=_next_reference(data.reported_on.year),
        owner_institution=owner,
        source_record_id=source_record_id,
        created_by=acting_user,
    )
    case.save()
    case.exploitation_forms.set(forms)
    case_refresh_search(case)
    audit_record(
        actor=acting_user,
        action="case.create",
        obj=case,
        changed_fields=[*values, "exploitation_forms"] if forms else list(values),
    )
    return case


def case_create(
    *,
    acting_user: Any,
    data: CaseInput,
    owner_institution: Institution | None = None,
    source_record_id: str = "",
) -> Case:
    with transaction.atomic(durable=True):
        return case_create_in_transaction(
            acting_user=acting_user, data=data, owner_institution=owner_institution,
            source_record_id=source_record_id,
        )


def case_update(*, acting_user: Any, case_id: int, expected_version: int, data: CaseInput) -> Case:
    """Change a case. Refused with `Conflict` when `expected_version` is no longer current."""
    with transaction.atomic(durable=True):
        case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=expected_version)
        problems = Problems()
        values, forms = clean_case(data, problems)
        problems.raise_if_any(_("The case is not valid; correct the marked fields."))
        changed = [name for name, value in values.items() if getattr(case, name) != value]
        for name in changed:
            setattr(case, name, values[name])
        old_forms = set(case.exploitation_forms.values_list("code", flat=True))
        if old_forms != {t.code for t in forms}:
            case.exploitation_forms.set(forms)
            changed.append("exploitation_forms")
        if not changed:
            return case
        case.version += 1
        case.save()
        case_refresh_search(case)
        audit_record(actor=acting_user, action="case.update", obj=case, changed_fields=changed)
    return case


def case_delete(*, acting_user: Any, case_id: int, expected_version: int) -> None:
    with transaction.atomic(durable=True):
        case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=expected_version)
        audit_record(actor=acting_user, action="case.delete", obj=case)
        from alianza.people.models import Participation

        Participation.objects.filter(case=case).delete()
        case.delete()


def case_share_set(
    *, acting_user: Any, case_id: int, institution_id: int, categories: Iterable[str]
) -> Case:
    """Share (or, with no categories, unshare) a case's data categories with another institution."""
    wanted = set()
    for category in categories:
        try:
            wanted.add(authz.Category(category))
        except ValueError:
            raise ValidationFailed(_("Unknown data category: %(c)s.") % {"c": category}) from None
    with transaction.atomic(durable=True):
        case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=None)
        if acting_user.institution_id != case.owner_institution_id:
            raise PermissionDenied(_("Only the owning institution can share a case."))
        if not Institution.objects.filter(pk=institution_id, is_active=True).exists():
            raise ValidationFailed(_("There is no such institution."))
        CaseShare.objects.filter(case=case, institution_id=institution_id).exclude(category__in=wanted).delete()
        for category in wanted:
            CaseShare.objects.get_or_create(case=case, institution_id=institution_id, category=category)
        audit_record(actor=acting_user, action="case.share", obj=case, changed_fields=["shares"])
    return case


# --- route events ------------------------------------------------------------------------------


def clean_route_event(data: RouteEventInput, problems: Problems, lookup: ReferenceLookup | None = None) -> dict[str, Any]:
    """A route event's field values, checked (the one validation of a route event)."""
    values: dict[str, Any] = {f.name: getattr(data, f.name) for f in fields(data)}
    if data.event_type not in values_of(RouteEventType):
        problems.add("event_type", _("Choose recruitment, transit or exploitation."))
    try:
        values["country"] = normalize_country(data.country)
    except NormalizationError as exc:
        problems.add("country", exc.message)
    if data.department and data.department not in values_of(Department):
        problems.add("department", _("Choose a Bolivian department."))
    elif data.department and values.get("country") != "BOL":
        problems.add("department", _("A department is only recorded for places in Bolivia."))
    if data.date:
        try:
            values["date"] = normalize_date(data.date).isoformat()
        except NormalizationError as exc:
            problems.add("date", exc.message)
    if data.transport_mode not in values_of(TransportMode):
        problems.add("transport_mode", _("Unknown transport mode."))
    if data.crossing not in values_of(CrossingType):
        problems.add("crossing", _("Unknown crossing type."))
    values["border_crossing"] = None
    if data.border_crossing:
        crossing = (lookup or ReferenceLookup()).crossing(data.border_crossing)
        if crossing is None:
            problems.add("border_crossing", _("Unknown border crossing."))
        values["border_crossing"] = crossing
    values["city"] = data.city.strip()
    values["description"] = data.description.strip()
    return values


def route_event_add_in_transaction(*, acting_user: Any, case: Case, data: RouteEventInput, position: int | None = None) -> RouteEvent:
    problems = Problems()
    values = clean_route_event(data, problems)
    problems.raise_if_any(_("The route event is not valid; correct the marked fields."))
    if position is None:
        last = RouteEvent.objects.filter(case=case).order_by("-position").values_list("position", flat=True).first()
        position = (last or 0) + 1
    event = RouteEvent.objects.create(case=case, position=position, **values)
    case_touch(case)
    case_refresh_search(case)
    audit_record(actor=acting_user, action="case.route_event_add", obj=case, changed_fields=["route_events"])
    return event


def route_event_create(*, acting_user: Any, case_id: int, data: RouteEventInput, expected_version: int | None = None) -> RouteEvent:
    """Append an event to the end of the case's route."""
    with transaction.atomic(durable=True):
        case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=expected_version)
        return route_event_add_in_transaction(acting_user=acting_user, case=case, data=data)


def _event_for_update(*, acting_user: Any, event_id: int, expected_version: int | None) -> RouteEvent:
    case_id = RouteEvent.objects.filter(pk=event_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound(_("There is no such route event."))
    case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=expected_version)
    event = RouteEvent.objects.get(pk=event_id)
    event.case = case
    return event


def route_event_update(
    *, acting_user: Any, event_id: int, data: RouteEventInput, expected_version: int | None = None
) -> RouteEvent:
    with transaction.atomic(durable=True):
        event = _event_for_update(acting_user=acting_user, event_id=event_id, expected_version=expected_version)
        problems = Problems()
        values = clean_route_event(data, problems)
        problems.raise_if_any(_("The route event is not valid; correct the marked fields."))
        changed = [name for name, value in values.items() if getattr(event, name) != value]
        for name in changed:
            setattr(event, name, values[name])
        if changed:
            event.save()
            case_touch(event.case)
            case_refresh_search(event.case)
            audit_record(
                actor=acting_user, action="case.route_event_update", obj=event.case,
                changed_fields=[f"route_events.{name}" for name in changed],
            )
    return event


def route_event_delete(*, acting_user: Any, event_id: int, expected_version: int | None = None) -> None:
    with transaction.atomic(durable=True):
        event = _event_for_update(acting_user=acting_user, event_id=event_id, expected_version=expected_version)
        case = event.case
        event.delete()
        case_touch(case)
        case_refresh_search(case)
        audit_record(actor=acting_user, action="case.route_event_delete", obj=case, changed_fields=["route_events"])


def route_reorder(*, acting_user: Any, case_id: int, event_ids: list[int], expected_version: int | None = None) -> None:
    """Put the case's route events in the given order (every event exactly once)."""
    with transaction.atomic(durable=True):
        case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=expected_version)
        events: Mapping[int, RouteEvent] = {e.pk: e for e in RouteEvent.objects.filter(case=case)}
        if sorted(event_ids) != sorted(events):
            raise ValidationFailed(_("List every event of the route exactly once."))
        offset = len(events) + 1000  # two passes so the unique (case, position) never collides
        for index, event_id in enumerate(event_ids, start=1):
            RouteEvent.objects.filter(pk=event_id).update(position=offset + index)
        for index, event_id in enumerate(event_ids, start=1):
            RouteEvent.objects.filter(pk=event_id).update(position=index)
        case_touch(case)
        audit_record(actor=acting_user, action="case.route_reorder", obj=case, changed_fields=["route_events.position"])


__all__ = [
    "CaseInput",
    "RouteEventInput",
    "case_create",
    "case_delete",
    "case_share_set",
    "case_update",
    "route_event_create",
    "route_event_delete",
    "route_event_update",
    "route_reorder",
]
