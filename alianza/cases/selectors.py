"""Reading cases, always through the acting user's authorization.

`visible_cases` narrows the query to cases the user may see at all (owner, explicit share,
national scope); `case_categories_of` then asks `authz.case_categories` what the user may see of
each one, so that the decision itself is made in one place. Names of participants are searched
only in cases where the user may see identities, so a search cannot reveal who is in a case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.models import AuditEntry
from alianza.audit.services import audit_record_now
from alianza.cases.choices import RouteEventType, Sensitivity
from alianza.cases.models import Case, CaseSearchToken, CaseShare, RouteEvent
from alianza.cases.services import search_tokens
from alianza.core.errors import NotFound
from alianza.people.choices import ParticipationRole, RoleInProcess
from alianza.people.models import Participation
from alianza.protection.children import victim_is_child

SORTS: dict[str, tuple[str, ...]] = {
    "-reported_on": ("-reported_on", "-id"),
    "reported_on": ("reported_on", "id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "status": ("status", "-reported_on", "-id"),
    "crime_type": ("crime_type", "-reported_on", "-id"),
    "-updated_at": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class CaseFilter:
    q: str = ""
    crime_type: str = ""
    status: str = ""
    year: int | None = None
    department: str = ""
    exploitation_form: str = ""  # ReferenceTerm code
    institution: int | None = None
    exploitation_country: str = ""  # ISO alpha-3
    sort: str = "-reported_on"


def _role_categories(user: Any) -> frozenset[authz.Category]:
    return authz.ROLE_CATEGORIES.get(getattr(user, "role", ""), frozenset())


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case of which `user` may see at least one category (see authz.case_categories)."""
    if not authz.has_perm(user, authz.Perm.CASE_VIEW):
        return Case.objects.none()
    categories = _role_categories(user)
    shared = CaseShare.objects.filter(institution_id=user.institution_id, category__in=categories)
    condition = Q(owner_institution_id=user.institution_id) | Q(pk__in=shared.values("case_id"))
    if user.role in authz.NATIONAL_SCOPE_ROLES and categories - authz.IDENTITY_CATEGORIES:
        condition |= ~Q(sensitivity=Sensitivity.RESTRICTED)
    return Case.objects.filter(condition)


def _identity_condition(user: Any) -> Q | None:
    """Cases in which `user` may see victims' identities (and so may search their names)."""
    if authz.Category.VICTIM_IDENTITY not in _role_categories(user):
        return None
    shared = CaseShare.objects.filter(
        institution_id=user.institution_id, category=authz.Category.VICTIM_IDENTITY
    ).values("case_id")
    return Q(owner_institution_id=user.institution_id) | Q(pk__in=shared)


def _my_shares(user: Any) -> Prefetch[Any]:
    return Prefetch(
        "shares", queryset=CaseShare.objects.filter(institution_id=user.institution_id), to_attr="my_shares"
    )


def case_categories_of(user: Any, case: Case) -> frozenset[authz.Category]:
    """What `user` may see of `case`. Uses the `my_shares` prefetch when the case has it."""
    shares = getattr(case, "my_shares", None)
    if shares is None:
        shares = list(case.shares.filter(institution_id=user.institution_id))
    shared = frozenset(authz.Category(s.category) for s in shares)
    return authz.case_categories(
        user,
        owner_institution_id=case.owner_institution_id,
        shares={user.institution_id: shared} if shared else None,
        restricted=case.is_restricted,
    )


def _participant_count(roles: list[str]) -> Coalesce:
    return Coalesce(Subquery(
        Participation.objects.filter(case=OuterRef("pk"), role__in=roles)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    ), 0)


def _token_matches(word: str, *, is_name: bool) -> QuerySet[Any]:
    """Ids of cases with a token starting with `word`, answered from the token index."""
    tokens = CaseSearchToken.objects.filter(is_name=is_name)
    if connection.vendor == "sqlite":
        # Tokens are [a-z0-9]; under SQLite's byte order this range is exactly the prefix match,
        # and unlike LIKE it can use the index.
        tokens = tokens.filter(token__gte=word, token__lt=word + "\x7f")
    else:
        tokens = tokens.filter(token__startswith=word)
    return tokens.values("case_id")


def case_list(*, acting_user: Any, filters: CaseFilter) -> QuerySet[Case]:
    qs = visible_cases(acting_user)
    words = sorted(search_tokens(filters.q), key=len, reverse=True)
    if words:
        identity = _identity_condition(acting_user)
        for word in words:
            matches = Q(pk__in=_token_matches(word, is_name=False))
            if identity is not None:
                matches |= Q(pk__in=_token_matches(word, is_name=True)) & identity
            qs = qs.filter(matches)
    if filters.crime_type:
        qs = qs.filter(crime_type=filters.crime_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(reported_on__gte=dt.date(filters.year, 1, 1), reported_on__lt=dt.date(filters.year + 1, 1, 1))
    if filters.department:
        qs = qs.filter(department=filters.department)
    if filters.exploitation_form:
        with_form = Case.exploitation_forms.through.objects.filter(referenceterm__code=filters.exploitation_form)
        qs = qs.filter(pk__in=with_form.values("case_id"))
    if filters.institution:
        qs = qs.filter(owner_institution_id=filters.institution)
    if filters.exploitation_country:
        exploited_in = RouteEvent.objects.filter(
            country=filters.exploitation_country.upper()[:3], event_type=RouteEventType.EXPLOITATION
        )
        qs = qs.filter(pk__in=exploited_in.values("case_id"))
    return (
        qs.select_related("owner_institution")
        .prefetch_related(_my_shares(acting_user), "exploitation_forms")
        .annotate(
            # Correlated subqueries rather than a join with GROUP BY: the database counts only for
            # the rows of the page, not for every matching case before it sorts and limits.
            victim_count=_participant_count([ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON]),
            suspect_count=_participant_count([ParticipationRole.SUSPECT]),
        )
        .order_by(*SORTS.get(filters.sort, SORTS["-reported_on"]))
    )


def case_years() -> list[int]:
    return [d.year for d in Case.objects.dates("reported_on", "year", order="DESC")]


# --- one case ----------------------------------------------------------------------------------

def identity_category(role: str) -> authz.Category:
    """Suspects' identities are suspect identity; everyone else in a case is protected as a victim."""
    return authz.Category.SUSPECT_IDENTITY if role == ParticipationRole.SUSPECT else authz.Category.VICTIM_IDENTITY


def masked_label(role: str, number: int) -> str:
    labels = {
        ParticipationRole.VICTIM: _("Victim %(number)d"),
        ParticipationRole.SUSPECT: _("Suspect %(number)d"),
        ParticipationRole.WITNESS: _("Witness %(number)d"),
        ParticipationRole.COMPLAINANT: _("Complainant %(number)d"),
        ParticipationRole.MISSING_PERSON: _("Missing person %(number)d"),
    }
    return labels.get(ParticipationRole(role), _("Person %(number)d")) % {"number": number}


@dataclass
class ParticipantView:
    participation: Participation
    identity_visible: bool
    label: str  # the name when visible, a numbered role label when masked

    @property
    def person(self) -> Any:
        return self.participation.person if self.identity_visible else None

    @property
    def roles_in_process_labels(self) -> list[str]:
        """A suspect's HTCDS roles in the process, in the user's language."""
        labels = dict(RoleInProcess.choices)
        return [str(labels.get(value, value)) for value in self.participation.roles_in_process]


@dataclass
class CaseDetail:
    case: Case
    categories: frozenset[authz.Category]
    editable: bool
    participants: list[ParticipantView] = field(default_factory=list)
    route: list[RouteEvent] = field(default_factory=list)
    history: list[AuditEntry] = field(default_factory=list)

    @property
    def sees_route(self) -> bool:
        return authz.Category.ROUTE in self.categories


def participants_of(
    case: Case, categories: frozenset[authz.Category], *, acting_user: Any
) -> list[ParticipantView]:
    """The case's participants, each named only if `categories` include their identity.

    A child victim is named only to the fewest roles (authz.victim_identity_visible).
    """
    counters: dict[str, int] = {}
    views = []
    today = timezone.localdate()
    for participation in case.participations.all():
        counters[participation.role] = counters.get(participation.role, 0) + 1
        masked = masked_label(participation.role, counters[participation.role])
        category = identity_category(participation.role)
        visible = category in categories
        if visible and category == authz.Category.VICTIM_IDENTITY:
            visible = authz.victim_identity_visible(
                acting_user,
                categories=categories,
                is_child=victim_is_child(
                    birth_date=participation.person.birth_date,
                    age_when_trafficked=participation.age_when_trafficked,
                    today=today,
                ),
            )
        if visible:
            person = participation.person
            name = person.full_name or (person.aliases[0] if person.aliases else "")
            views.append(ParticipantView(participation, True, name or masked))
        else:
            views.append(ParticipantView(participation, False, masked))
    return views


def participations_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "participations",
        queryset=Participation.objects.select_related("person", "forced_labour_industry", "proceeding")
        .prefetch_related(
            "person__documents", "person__contacts", "recruitment_methods", "means_of_control", "exploitation_forms"
        )
        .order_by("role", "id"),
    )


def case_get(*, acting_user: Any, case_id: int, with_history: bool = True, shows_identities: bool = True) -> CaseDetail:
    """One case as `acting_user` may see it.

    When the caller shows the participants (`shows_identities`), a view that includes a victim's
    identity is audited; callers that only check the case or show its summary pass False.
    """
    case = (
        visible_cases(acting_user)
        .select_related("owner_institution", "created_by")
        .prefetch_related(
            _my_shares(acting_user),
            "exploitation_forms",
            participations_prefetch(),
            Prefetch("route_events", queryset=RouteEvent.objects.select_related("border_crossing")),
            Prefetch("shares", queryset=CaseShare.objects.select_related("institution"), to_attr="all_shares"),
        )
        .filter(pk=case_id)
        .first()
    )
    categories = case_categories_of(acting_user, case) if case is not None else frozenset()
    if case is None or not categories:
        raise NotFound(_("There is no such case, or you may not see it."))
    shares: dict[int, set[authz.Category]] = {}
    for share in case.all_shares:
        shares.setdefault(share.institution_id, set()).add(authz.Category(share.category))
    detail = CaseDetail(
        case=case,
        categories=categories,
        editable=authz.case_editable(
            acting_user,
            owner_institution_id=case.owner_institution_id,
            shares={k: frozenset(v) for k, v in shares.items()},
        ),
        participants=participants_of(case, categories, acting_user=acting_user),
        route=list(case.route_events.all()) if authz.Category.ROUTE in categories else [],
    )
    if with_history:
        detail.history = list(
            AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("-seq")[:100]
        )
    if shows_identities and any(
        p.identity_visible and identity_category(p.participation.role) == authz.Category.VICTIM_IDENTITY
        for p in detail.participants
    ):
        audit_record_now(actor=acting_user, action="victim_identity.view", obj=case)
    return detail
