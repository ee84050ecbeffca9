"""Reading persons through the acting user's authorization.

A person is seen through the cases they appear in: their identity only where the user may see
that role's identity in at least one of those cases (or their institution recorded the person);
otherwise the person page shows the cases and roles, masked. The person page also shows the
other records linkage grouped with this one (`stats.PersonCluster`), each under the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from alianza.stats.models import PersonCluster


@dataclass
class PersonCase:
    participation: Participation
    case: Case
    categories: frozenset[authz.Category]


@dataclass
class PersonAccess:
    """What the acting user may see of one person record: the cases, and whether the identity.

    `visible` is False when the user may not know of the record at all. `audits_identity` says
    that showing the identity is a read of victim identity, which the caller must audit
    (`person_identity_audit`).
    """

    person: Person
    visible: bool
    identity_visible: bool
    label: str
    audits_identity: bool
    cases: list[PersonCase] = field(default_factory=list)


@dataclass
class PersonDetail:
    person: Person
    identity_visible: bool
    label: str
    cases: list[PersonCase] = field(default_factory=list)
    # The other records of the same natural person (linkage's clusters), as far as the user may see
    # them, and how many more records the cluster has that the user may not see.
    same_person: list[PersonAccess] = field(default_factory=list)
    same_person_hidden: int = 0


def person_access_many(*, acting_user: Any, persons: Iterable[Person]) -> dict[int, PersonAccess]:
    """What `acting_user` may see of each person, in a fixed number of queries. Audits nothing.

    A person is seen through the cases they appear in: their identity only where the user may see
    that role's identity in at least one of those cases (or the user's institution recorded the
    person); a child victim is named only to the fewest roles, wherever else they appear.
    """
    persons = list(persons)
    by_person: dict[int, list[Participation]] = {p.pk: [] for p in persons}
    if persons:
        participations = (
            Participation.objects.filter(person_id__in=list(by_person), case__in=visible_cases(acting_user))
            .select_related("case", "case__owner_institution", "forced_labour_industry", "proceeding")
            .prefetch_related(
                Prefetch(
                    "case__shares",
                    queryset=CaseShare.objects.filter(institution_id=acting_user.institution_id),
                    to_attr="my_shares",
                ),
                "exploitation_forms",
            )
            .order_by("-case__reported_on", "id")
        )
        for participation in participations:
            by_person[participation.person_id].append(participation)
    identity_role = authz.has_perm(acting_user, authz.Perm.CASE_VIEW) and (
        authz.ROLE_CATEGORIES.get(acting_user.role, frozenset()) >= authz.IDENTITY_CATEGORIES
    )
    today = timezone.localdate()
    out = {}
    for person in persons:
        cases = []
        identity_visible = False
        for participation in by_person[person.pk]:
            categories = case_categories_of(acting_user, participation.case)
            if not categories:
                continue
            cases.append(PersonCase(participation, participation.case, categories))
            identity_visible = identity_visible or identity_category(participation.role) in categories
        own_record = identity_role and person.owner_institution_id == acting_user.institution_id
        identity_visible = identity_visible or own_record
        as_victim = [c.participation for c in cases if c.participation.role == ParticipationRole.VICTIM]
        if identity_visible and as_victim:
            is_child = any(
                victim_is_child(birth_date=person.birth_date, age_when_trafficked=p.age_when_trafficked, today=today)
                for p in as_victim
            )
            identity_visible = authz.victim_identity_visible(
                acting_user, categories=authz.ALL_CATEGORIES, is_child=is_child
            )
        if identity_visible:
            label = person.full_name or (person.aliases[0] if person.aliases else "")
        else:
            label = masked_label(cases[0].participation.role, 1) if cases else _("Person record")
        out[person.pk] = PersonAccess(
            person=person,
            visible=bool(cases) or own_record,
            identity_visible=identity_visible,
            label=label,
            audits_identity=identity_visible
            and any(identity_category(c.participation.role) == authz.Category.VICTIM_IDENTITY for c in cases),
            cases=cases,
        )
    return out


def person_identity_audit(*, acting_user: Any, accesses: Iterable[PersonAccess]) -> None:
    """Record each read of a victim's identity that the caller is about to show."""
    for access in accesses:
        if access.identity_visible and access.audits_identity:
            audit_record_now(actor=acting_user, action="victim_identity.view", obj=access.person)


def person_get(*, acting_user: Any, person_id: int) -> PersonDetail:
    """The person, every case they appear in that the user may see, and the other records of the
    same natural person as far as the user may see them. Audits identity reveals."""
    person = Person.objects.prefetch_related("documents", "contacts").filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("There is no such person, or you may not see them."))
    access = person_access_many(acting_user=acting_user, persons=[person])[person.pk]
    if not access.visible:
        raise NotFound(_("There is no such person, or you may not see them."))
    cluster_id = PersonCluster.objects.filter(person_id=person.pk).values_list("cluster_id", flat=True).first()
    others: dict[int, PersonAccess] = {}
    if cluster_id is not None:
        members = PersonCluster.objects.filter(cluster_id=cluster_id).exclude(person_id=person.pk)
        others = person_access_many(
            acting_user=acting_user,
            persons=Person.objects.filter(pk__in=members.values("person_id"))
            .select_related("owner_institution")
            .prefetch_related("documents")
            .order_by("id"),
        )
    same_person = [a for a in others.values() if a.visible]
    person_identity_audit(acting_user=acting_user, accesses=[access, *same_person])
    return PersonDetail(
        person=person,
        identity_visible=access.identity_visible,
        label=access.label,
        cases=access.cases,
        same_person=same_person,
        same_person_hidden=len(others) - len(same_person),
    )


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
