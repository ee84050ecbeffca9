"""Reads of the protection context. Every read of victims and referrals asks authz what the user sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.services import audit_record_now
from alianza.cases import selectors as case_selectors
from alianza.cases.models import Case, CaseShare
from alianza.core.errors import NotFound, PermissionDenied
from alianza.people.choices import ParticipationRole
from alianza.people.models import Participation
from alianza.protection.children import victim_is_child, youngest_possible_age
from alianza.protection.choices import (
    IDENTITY_GRANTS,
    OPEN_REFERRAL_STATES,
    ConsentPurpose,
    ExchangeQueueStatus,
    ReferralGrant,
    ReferralKind,
    ReferralState,
    ServiceKind,
)
from alianza.protection.models import (
    Consent,
    Referral,
    RiskQuestion,
    ServiceProvider,
    SupportAction,
)

# --- services directory ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderFilter:
    kind: str = ""
    department: str = ""
    country: str = ""
    institution_id: int | None = None
    age: int | None = None
    sex: str = ""
    nationality: str = ""
    with_free_beds: bool = False


def provider_list(*, acting_user: Any, filters: ProviderFilter | None = None) -> QuerySet[ServiceProvider]:
    """The directory is not personal data: anyone on a case team or with national scope reads it."""
    if not authz.has_perm(acting_user, authz.Perm.CASE_VIEW):
        raise PermissionDenied(_("You may not read the services directory."))
    f = filters or ProviderFilter()
    qs = ServiceProvider.objects.filter(is_active=True).select_related("institution")
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.department:
        qs = qs.filter(department=f.department)
    if f.country:
        qs = qs.filter(country=f.country)
    if f.institution_id:
        qs = qs.filter(institution_id=f.institution_id)
    if f.age is not None:
        qs = qs.filter(Q(min_age__isnull=True) | Q(min_age__lte=f.age))
        qs = qs.filter(Q(max_age__isnull=True) | Q(max_age__gte=f.age))
    if f.sex:
        qs = qs.filter(accepted_sex__in=["", f.sex])
    if f.nationality:
        qs = qs.filter(Q(accepted_nationalities="") | Q(accepted_nationalities__contains=f.nationality))
    if f.with_free_beds:
        qs = qs.filter(beds__isnull=False).exclude(occupied_beds__gte=F("beds"))
    return qs


def shelter_occupancy(*, acting_user: Any) -> QuerySet[ServiceProvider]:
    return provider_list(acting_user=acting_user, filters=ProviderFilter(kind=ServiceKind.SHELTER)).filter(
        beds__isnull=False
    )


def risk_questions() -> QuerySet[RiskQuestion]:
    return RiskQuestion.objects.filter(is_active=True)


# --- victims ---------------------------------------------------------------------------------


def case_categories_for(user: Any, case: Case) -> frozenset[authz.Category]:
    """The case registry's decision (authz.case_categories with the case's shares)."""
    return case_selectors.case_categories_of(user, case)


@dataclass
class VictimAccess:
    participation: Participation
    categories: frozenset[authz.Category]
    is_child: bool
    identity_visible: bool

    @property
    def label(self) -> str:
        if self.identity_visible:
            return self.participation.person.full_name or f"#{self.participation.pk}"
        return f"{self.participation.case.reference} · #{self.participation.pk}"


def _victims() -> QuerySet[Participation]:
    return Participation.objects.filter(role=ParticipationRole.VICTIM).select_related(
        "person", "case", "case__owner_institution"
    )


def victim_access(*, acting_user: Any, participation: Participation, today: date | None = None) -> VictimAccess:
    categories = case_categories_for(acting_user, participation.case)
    is_child = victim_is_child(
        birth_date=participation.person.birth_date,
        age_when_trafficked=participation.age_when_trafficked,
        today=today or timezone.localdate(),
    )
    return VictimAccess(
        participation=participation,
        categories=categories,
        is_child=is_child,
        identity_visible=authz.victim_identity_visible(acting_user, categories=categories, is_child=is_child),
    )


def victim_get(*, acting_user: Any, participation_id: int, audit_identity: bool = False) -> VictimAccess:
    """A victim on the user's case team (owner or shared with victim data); otherwise not found."""
    if not authz.has_perm(acting_user, authz.Perm.PROTECTION_MANAGE):
        raise PermissionDenied(_("Only case workers manage victim protection."))
    participation = _victims().filter(pk=participation_id).first()
    if participation is None:
        raise NotFound(_("No such victim."))
    access = victim_access(acting_user=acting_user, participation=participation)
    if authz.Category.VICTIM_IDENTITY not in access.categories:
        raise NotFound(_("No such victim."))
    if audit_identity and access.identity_visible:
        audit_record_now(actor=acting_user, action="protection.victim.view", obj=participation)
    return access


def victim_for_override(*, acting_user: Any, participation_id: int) -> VictimAccess:
    """A victim a coordinator may refer without consent: any case their national scope shows."""
    if not authz.has_perm(acting_user, authz.Perm.CONSENT_OVERRIDE):
        raise PermissionDenied(_("Only coordinators may override a missing consent."))
    participation = _victims().filter(pk=participation_id).first()
    if participation is None:
        raise NotFound(_("No such victim."))
    access = victim_access(acting_user=acting_user, participation=participation)
    if not access.categories:
        raise NotFound(_("No such victim."))
    return access


def my_victims(*, acting_user: Any) -> list[VictimAccess]:
    """Victims in the cases of the user's institution or shared with it with victim data."""
    if not authz.has_perm(acting_user, authz.Perm.PROTECTION_MANAGE):
        return []
    my_shares = Prefetch(
        "case__shares", queryset=CaseShare.objects.filter(institution_id=acting_user.institution_id),
        to_attr="my_shares",  # what case_selectors.case_categories_of reads instead of querying per case
    )
    qs = (
        _victims().filter(case__in=case_selectors.visible_cases(acting_user))
        .prefetch_related(my_shares).order_by("-case__reported_on", "pk")
    )
    today = timezone.localdate()
    accesses = [victim_access(acting_user=acting_user, participation=p, today=today) for p in qs]
    return [a for a in accesses if authz.Category.VICTIM_IDENTITY in a.categories]


def active_consent(*, participation: Participation, purpose: str, partner_country: str = "") -> Consent | None:
    qs = Consent.objects.filter(participation=participation, purpose=purpose, withdrawn_at__isnull=True)
    if purpose == ConsentPurpose.SHARE_WITH_PARTNER:
        qs = qs.filter(partner_country=partner_country)
    return qs.order_by("-given_on", "-id").first()


# --- referrals -------------------------------------------------------------------------------


def is_overdue(referral: Referral, *, now: datetime) -> bool:
    return (
        referral.state in (ReferralState.PROPOSED, ReferralState.ACCEPTED)
        and referral.first_contact_at is None
        and referral.first_contact_due_at < now
    )


def _receiving_ids(referral: Referral) -> list[int | None]:
    cpa = referral.child_protection_provider
    return [referral.to_institution_id, cpa.institution_id if cpa is not None else None]


@dataclass
class ReferralView:
    referral: Referral
    party: str  # "referrer" or "receiver"
    overdue: bool
    # For the receiver: the grants in force; for the referrer: everything the case team sees.
    visible: frozenset[str] = field(default_factory=frozenset)


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "participation__person", "participation__case", "to_provider", "to_institution",
        "from_institution", "child_protection_provider", "consent",
    )


def referral_view(*, acting_user: Any, referral: Referral, now: datetime | None = None) -> ReferralView | None:
    receiving = _receiving_ids(referral)
    party = authz.referral_party(
        acting_user, from_institution_id=referral.from_institution_id, receiving_institution_ids=receiving
    )
    if party is None:
        return None
    overdue = is_overdue(referral, now=now or timezone.now())
    if party == "referrer":
        return ReferralView(referral=referral, party=party, overdue=overdue)
    consent = referral.consent
    visible = authz.referral_visible_grants(
        acting_user,
        receiving_institution_ids=receiving,
        granted=referral.granted,
        identity_grants=IDENTITY_GRANTS,
        is_open=referral.state in OPEN_REFERRAL_STATES,
        consent_in_force=consent is not None and consent.withdrawn_at is None,
        consent_overridden=consent is None and bool(referral.consent_override_reason),
        is_child=referral.is_child,
    )
    return ReferralView(referral=referral, party=party, overdue=overdue, visible=visible)


def referral_get(*, acting_user: Any, referral_id: int, now: datetime | None = None) -> ReferralView:
    if not authz.has_perm(acting_user, authz.Perm.PROTECTION_MANAGE):
        raise PermissionDenied(_("Only case workers handle referrals."))
    referral = _referrals().filter(pk=referral_id).first()
    view = referral_view(acting_user=acting_user, referral=referral, now=now) if referral else None
    if view is None:
        raise NotFound(_("No such referral."))
    return view


def referral_list(
    *, acting_user: Any, direction: str = "", state: str = "", now: datetime | None = None
) -> list[ReferralView]:
    """Referrals the user's institution made ("outgoing") or receives ("incoming")."""
    if not authz.has_perm(acting_user, authz.Perm.PROTECTION_MANAGE):
        return []
    inst = acting_user.institution_id
    outgoing = Q(from_institution_id=inst)
    incoming = Q(to_institution_id=inst) | Q(child_protection_provider__institution_id=inst)
    condition = outgoing if direction == "outgoing" else incoming if direction == "incoming" else outgoing | incoming
    qs = _referrals().filter(condition)
    if state:
        qs = qs.filter(state=state)
    now = now or timezone.now()
    views = (referral_view(acting_user=acting_user, referral=r, now=now) for r in qs)
    return [v for v in views if v is not None]


def overdue_referrals(*, acting_user: Any, now: datetime | None = None) -> list[ReferralView]:
    now = now or timezone.now()
    return [
        v for v in referral_list(acting_user=acting_user, now=now) if v.overdue
    ]


def due_actions(*, acting_user: Any, today: date | None = None, within_days: int = 7) -> QuerySet[SupportAction]:
    """Support actions not yet done and planned up to `within_days` ahead, for the user's victims."""
    if not authz.has_perm(acting_user, authz.Perm.PROTECTION_MANAGE):
        return SupportAction.objects.none()
    today = today or timezone.localdate()
    victim_ids = [a.participation.pk for a in my_victims(acting_user=acting_user)]
    return (
        SupportAction.objects.filter(
            plan__participation_id__in=victim_ids, done_on__isnull=True,
            planned_on__lte=today + timedelta(days=within_days),
        )
        .select_related("plan", "plan__participation__case", "provider")
        .order_by("planned_on", "id")
    )


@dataclass
class Dashboard:
    victims: list[VictimAccess]
    due_actions: list[SupportAction]
    overdue: list[ReferralView]
    incoming: list[ReferralView]
    shelters: list[ServiceProvider]
    today: date


def dashboard(*, acting_user: Any, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    today = timezone.localdate(now)
    referrals = referral_list(acting_user=acting_user, now=now)
    return Dashboard(
        victims=my_victims(acting_user=acting_user),
        due_actions=list(due_actions(acting_user=acting_user, today=today)),
        overdue=[v for v in referrals if v.overdue],
        incoming=[v for v in referrals if v.party == "receiver" and v.referral.state in OPEN_REFERRAL_STATES],
        shelters=list(shelter_occupancy(acting_user=acting_user)),
        today=today,
    )


@dataclass(frozen=True)
class SharedField:
    grant: str
    label: str
    value: str


def referral_shared_fields(*, acting_user: Any, view: ReferralView) -> list[SharedField]:
    """What the receiving institution sees of the person: exactly the grants authz leaves in force."""
    if view.party != "receiver" or not view.visible:
        return []
    participation = view.referral.participation
    person = participation.person
    labels = dict(ReferralGrant.choices)
    values: dict[str, str] = {}
    if ReferralGrant.NAME in view.visible:
        values[ReferralGrant.NAME] = person.full_name
    if ReferralGrant.SEX_AND_AGE in view.visible:
        age = youngest_possible_age(birth_date=person.birth_date, today=timezone.localdate())
        parts = [str(person.get_sex_display()) if person.sex else _("sex unknown"),
                 _("%(age)s years") % {"age": age} if age is not None else _("age unknown")]
        if view.referral.is_child:
            parts.append(_("child"))
        values[ReferralGrant.SEX_AND_AGE] = ", ".join(parts)
    if ReferralGrant.NATIONALITY in view.visible:
        values[ReferralGrant.NATIONALITY] = ", ".join(person.citizenships) or "—"
    if ReferralGrant.CONTACTS in view.visible:
        values[ReferralGrant.CONTACTS] = "; ".join(
            f"{c.get_kind_display()}: {c.value}" for c in person.contacts.all()
        ) or "—"
    if ReferralGrant.RISK in view.visible:
        latest = participation.risk_assessments.first()
        values[ReferralGrant.RISK] = (
            f"{latest.get_level_display()} ({latest.assessed_on.isoformat()})" if latest else "—"
        )
    if ReferralGrant.SUPPORT_PLAN in view.visible:
        values[ReferralGrant.SUPPORT_PLAN] = "; ".join(
            f"{p.get_plan_type_display()}: {p.objectives}" for p in participation.support_plans.all()
        ) or "—"
    if ReferralGrant.CASE_SUMMARY in view.visible:
        case = participation.case
        forms_ = ", ".join(t.label for t in case.exploitation_forms.all())
        values[ReferralGrant.CASE_SUMMARY] = f"{case.get_crime_type_display()}" + (f" — {forms_}" if forms_ else "")
    if values.keys() & IDENTITY_GRANTS:
        audit_record_now(actor=acting_user, action="protection.referral.victim_view", obj=view.referral)
    order = list(ReferralGrant.values)
    return [SharedField(grant=g, label=str(labels[g]), value=values[g]) for g in sorted(values, key=order.index)]


def transnational_queue(*, acting_user: Any) -> QuerySet[Referral]:
    """Transnational referrals waiting for a partner liaison to hand them to the exchange."""
    if not authz.has_perm(acting_user, authz.Perm.EXCHANGE_SEND):
        raise PermissionDenied(_("Only partner liaisons hand referrals to the exchange."))
    return (
        Referral.objects.filter(kind=ReferralKind.TRANSNATIONAL, exchange_status=ExchangeQueueStatus.QUEUED)
        .select_related("participation__case", "from_institution", "consent")
        .order_by("proposed_at", "pk")
    )
