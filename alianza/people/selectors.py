"""Reading persons through the acting user's authorization.

A person is seen through the cases they appear in: their identity only where the user may see
that role's identity in at least one of those cases (or their institution recorded the person);
otherwise the person page shows the cases and roles, masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.services import audit_record_now
from alianza.cases.models import Case, CaseShare
from alianza.cases.selectors import (
    case_categories_of,
    identity_category,
    masked_label,
    visible_cases,
)
from alianza.core.errors import NotFound
from alianza.normalize import fold
from alianza.people.choices import ParticipationRole
from alianza.people.models import Participation, Person
from alianza.protection.children import victim_is_child


@dataclass
class PersonCase:
    participation: Participation
    case: Case
    categories: frozenset[authz.Category]


@dataclass
class PersonDetail:
    person: Person
    identity_visible: bool
    label: str
    cases: list[PersonCase] = field(default_factory=list)


def person_get(*, acting_user: Any, person_id: int) -> PersonDetail:
    """The person and every case they appear in that the user may see. Audits identity reveals."""
    person = Person.objects.prefetch_related("documents", "contacts").filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("There is no such person, or you may not see them."))
    participations = (
        Participation.objects.filter(person=person, case__in=visible_cases(acting_user))
        .select_related("case", "case__owner_institution", "forced_labour_industry", "proceeding")
        .prefetch_related(
            Prefetch(
                "case__shares",
                queryset=CaseShare.objects.filter(institution_id=acting_user.institution_id),
                to_attr="my_shares",
            ),
            "exploitation_forms",
        )
        .order_by("-case__reported_on")
    )
    cases = []
    identity_visible = False
    victim_side = False
    for participation in participations:
        categories = case_categories_of(acting_user, participation.case)
        if not categories:
            continue
        cases.append(PersonCase(participation, participation.case, categories))
        if identity_category(participation.role) in categories:
            identity_visible = True
            victim_side = victim_side or identity_category(participation.role) == authz.Category.VICTIM_IDENTITY
    own_record = person.owner_institution_id == acting_user.institution_id and authz.has_perm(
        acting_user, authz.Perm.CASE_VIEW
    ) and authz.ROLE_CATEGORIES.get(acting_user.role, frozenset()) >= authz.IDENTITY_CATEGORIES
    if not cases and not own_record:
        raise NotFound(_("There is no such person, or you may not see them."))
    identity_visible = identity_visible or own_record
    as_victim = [c.participation for c in cases if c.participation.role == ParticipationRole.VICTIM]
    if identity_visible and as_victim:
        # A child victim is named only to the fewest roles, wherever else they appear.
        today = timezone.localdate()
        is_child = any(
            victim_is_child(birth_date=person.birth_date, age_when_trafficked=p.age_when_trafficked, today=today)
            for p in as_victim
        )
        identity_visible = authz.victim_identity_visible(
            acting_user, categories=authz.ALL_CATEGORIES, is_child=is_child
        )
    if identity_visible:
        label = person.full_name or (person.aliases[0] if person.aliases else "")
        if victim_side or any(identity_category(c.participation.role) == authz.Category.VICTIM_IDENTITY for c in cases):
            audit_record_now(actor=acting_user, action="victim_identity.view", obj=person)
    else:
        label = masked_label(cases[0].participation.role, 1)
    return PersonDetail(person=person, identity_visible=identity_visible, label=label, cases=cases)


def person_list(*, acting_user: Any, q: str = "") -> QuerySet[Person]:
    """Persons whose identity the user may see: recorded by their institution, or in a case shared
    with them for identities. Searching by name is an identity search, so nobody else gets one."""
    categories = authz.ROLE_CATEGORIES.get(getattr(acting_user, "role", ""), frozenset())
    if not authz.has_perm(acting_user, authz.Perm.CASE_VIEW) or not categories >= authz.IDENTITY_CATEGORIES:
        return Person.objects.none()
    shared_cases = CaseShare.objects.filter(
        institution_id=acting_user.institution_id, category=authz.Category.VICTIM_IDENTITY
    ).values("case_id")
    qs = Person.objects.filter(
        Q(owner_institution_id=acting_user.institution_id)
        | Q(participations__case__owner_institution_id=acting_user.institution_id)
        | Q(participations__case__in=shared_cases)
    ).distinct()
    if acting_user.role not in authz.CHILD_IDENTITY_ROLES:
        # Leave out anyone who may be a child victim (conservatively: born in the last 18 years,
        # or with no birth date but trafficked as a child); their names are for the fewest roles.
        cutoff = str(timezone.localdate().year - 18)
        qs = qs.exclude(Q(birth_date__gte=cutoff) & ~Q(birth_date="")).exclude(
            Q(birth_date="")
            & Q(participations__role=ParticipationRole.VICTIM, participations__age_when_trafficked__lt=18)
        )
    for word in fold(q).split():
        qs = qs.filter(names_text__contains=word)
    return qs.prefetch_related("documents", "contacts").order_by("first_surname", "given_names", "id")
