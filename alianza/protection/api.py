"""API operations of the protection context: directory, consent, support plans and referrals."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator

from alianza.api.pagination import Pagination
from alianza.api.schemas import ErrorOut, InputSchema, IsoDate
from alianza.api.security import request_user
from alianza.cases.choices import Department
from alianza.core.errors import NotFound
from alianza.protection import selectors, services
from alianza.protection.choices import (
    ConsentPurpose,
    ReferralAction,
    ReferralGrant,
    ReferralKind,
    ReferralReason,
    ReferralState,
    ServiceKind,
    SupportPlanType,
)
from alianza.protection.models import Consent, Referral, ServiceProvider

router = Router(tags=["protection"])


def _no_nul(value: str) -> str:
    # Forms refuse NUL characters too; PostgreSQL cannot store them.
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Alpha3 = Annotated[str, Field(pattern=r"^([A-Z]{3})?$")]
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
}


class ProviderOut(Schema):
    id: int
    name: str
    kind: str
    institution_id: int
    country: str
    department: str
    city: str
    beds: int | None
    occupied_beds: int
    min_age: int | None
    max_age: int | None
    accepted_sex: str
    accepted_nationalities: str


class ProviderQuery(Schema):
    kind: ServiceKind | None = Field(None, description="Kind of service.")
    department: Department | None = Field(None, description="ISO 3166-2:BO code, e.g. BO-L.")
    country: Alpha3 = Field("", description="ISO 3166-1 alpha-3 code.")
    institution_id: int | None = Field(None, description="Only this institution's providers.")
    age: int | None = Field(None, ge=0, le=120, description="Only providers that take a person of this age.")
    sex: Literal["", "F", "M"] = Field("", description="F or M: only providers that take this sex.")
    nationality: Alpha3 = Field("", description="Alpha-3: only providers that take this nationality.")
    with_free_beds: bool = Field(False, description="Only shelters with a free bed.")


@router.get("/providers", response={200: list[ProviderOut], **ERRORS})
@paginate(Pagination)
def protection_provider_list(request: HttpRequest, filters: Query[ProviderQuery]) -> list[ProviderOut]:
    """The services directory: providers of every kind, with capacity and the profiles they accept."""
    data = filters.dict()
    data["kind"] = data["kind"] or ""
    data["department"] = data["department"] or ""
    return selectors.provider_list(  # type: ignore[return-value]
        acting_user=request_user(request), filters=selectors.ProviderFilter(**data)
    )


class ConsentIn(InputSchema):
    purpose: ConsentPurpose
    given_on: IsoDate
    partner_country: Text = Field("", max_length=60, description="For sharing_with_partner: the country (alpha-3 or name).")
    informed_of_withdrawal: bool = Field(..., description="The person was told how to withdraw consent.")


class ConsentOut(Schema):
    id: int
    participation_id: int
    purpose: str
    partner_country: str
    given_on: date
    withdrawn_at: datetime | None


@router.post("/victims/{participation_id}/consents", response={201: ConsentOut, **ERRORS})
def protection_consent_create(request: HttpRequest, participation_id: int, payload: ConsentIn) -> Status:
    """Record the person's consent for one purpose."""
    user = request_user(request)
    access = selectors.victim_get(acting_user=user, participation_id=participation_id)
    consent = services.consent_record(acting_user=user, participation=access.participation, **payload.dict())
    return Status(201, consent)


@router.post("/consents/{consent_id}/withdraw", response={200: ConsentOut, **ERRORS})
def protection_consent_withdraw(request: HttpRequest, consent_id: int) -> Consent:
    """Withdraw a consent; sharing that rests on it stops at once."""
    consent = Consent.objects.select_related("participation").filter(pk=consent_id).first()
    if consent is None:
        raise NotFound(_("No such consent."))
    return services.consent_withdraw(acting_user=request_user(request), consent=consent)


class ActionIn(InputSchema):
    description: Text = Field(..., min_length=1, max_length=300)
    planned_on: IsoDate
    provider_id: int | None = None


class PlanIn(InputSchema):
    plan_type: SupportPlanType
    objectives: Text = Field(..., min_length=1, max_length=5000)
    action_plan: Text = Field("", max_length=5000)
    planned_start_on: IsoDate | None = None
    planned_end_on: IsoDate | None = None
    actions: list[ActionIn] = []


class PlanOut(Schema):
    id: int
    participation_id: int
    plan_type: str
    objectives: str
    planned_start_on: date | None
    planned_end_on: date | None
    actual_end_on: date | None
    status: str


@router.post("/victims/{participation_id}/plans", response={201: PlanOut, **ERRORS})
def protection_plan_create(request: HttpRequest, participation_id: int, payload: PlanIn) -> Status:
    """Create a support plan (HTCDS plan type, objectives, actions with planned dates)."""
    user = request_user(request)
    access = selectors.victim_get(acting_user=user, participation_id=participation_id)
    data = payload.dict()
    actions = [services.ActionInput(**a) for a in data.pop("actions")]
    plan = services.support_plan_create(acting_user=user, participation=access.participation, actions=actions, **data)
    return Status(201, plan)


class ReferralIn(InputSchema):
    kind: ReferralKind
    reason: ReferralReason
    granted: list[ReferralGrant] = Field(..., min_length=1, description="What the receiver may see.")
    to_provider_id: int | None = Field(None, description="National: the provider of another institution.")
    partner_country: Text = Field("", max_length=60, description="Transnational: the partner country (alpha-3).")
    child_protection_provider_id: int | None = Field(None, description="Required for a child.")
    details: Text = Field("", max_length=5000)


class OverrideReferralIn(ReferralIn):
    consent_override_reason: Text = Field(
        ..., min_length=1, max_length=2000, description="Why it goes ahead without consent."
    )


class ReferralOut(Schema):
    id: int
    kind: str
    state: str
    from_institution_id: int
    to_provider_id: int | None
    to_institution_id: int | None
    partner_country: str
    reason: str
    granted: list[str]
    is_child: bool
    proposed_at: datetime
    first_contact_due_at: datetime
    first_contact_at: datetime | None
    exchange_status: str
    overdue: bool = False
    visible: list[str] = Field([], description="For the receiver: the grants in force now.")


def _provider(provider_id: int | None) -> ServiceProvider | None:
    if provider_id is None:
        return None
    provider = ServiceProvider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise NotFound(_("No such service provider."))
    return provider


def _out(view: selectors.ReferralView) -> ReferralOut:
    r = view.referral
    return ReferralOut(
        id=r.pk, kind=r.kind, state=r.state, from_institution_id=r.from_institution_id,
        to_provider_id=r.to_provider_id, to_institution_id=r.to_institution_id, partner_country=r.partner_country,
        reason=r.reason, granted=r.granted, is_child=r.is_child, proposed_at=r.proposed_at,
        first_contact_due_at=r.first_contact_due_at, first_contact_at=r.first_contact_at,
        exchange_status=r.exchange_status, overdue=view.overdue, visible=sorted(view.visible),
    )


def _create(request: HttpRequest, participation_id: int, payload: ReferralIn, *, override: str = "") -> ReferralOut:
    user = request_user(request)
    if override:
        access = selectors.victim_for_override(acting_user=user, participation_id=participation_id)
    else:
        access = selectors.victim_get(acting_user=user, participation_id=participation_id)
    referral = services.referral_create(
        acting_user=user, participation=access.participation, kind=payload.kind, reason=payload.reason,
        granted=[str(g) for g in payload.granted], to_provider=_provider(payload.to_provider_id),
        partner_country=payload.partner_country,
        child_protection_provider=_provider(payload.child_protection_provider_id),
        details=payload.details, consent_override_reason=override,
    )
    return _out(selectors.ReferralView(referral=referral, party="referrer", overdue=False))


@router.post("/victims/{participation_id}/referrals", response={201: ReferralOut, **ERRORS})
def protection_referral_create(
    request: HttpRequest, participation_id: int, payload: ReferralIn
) -> Status:
    """Propose a referral. Refused (403, reason consent_missing) without consent for its purpose."""
    return Status(201, _create(request, participation_id, payload))


@router.post("/victims/{participation_id}/referrals/override", response={201: ReferralOut, **ERRORS})
def protection_referral_override(
    request: HttpRequest, participation_id: int, payload: OverrideReferralIn
) -> Status:
    """Coordinators: propose a referral without recorded consent, giving a reason (audited)."""
    return Status(201, _create(request, participation_id, payload, override=payload.consent_override_reason))


class ReferralQuery(Schema):
    direction: Literal["", "outgoing", "incoming"] = Field("", description="outgoing, incoming, or empty for both.")
    state: ReferralState | None = Field(None, description="Only referrals in this state.")


@router.get("/referrals", response={200: list[ReferralOut], **ERRORS})
@paginate(Pagination)
def protection_referral_list(request: HttpRequest, filters: Query[ReferralQuery]) -> list[ReferralOut]:
    """Referrals made by or to the user's institution, with overdue flags."""
    views = selectors.referral_list(
        acting_user=request_user(request), direction=filters.direction, state=filters.state or ""
    )
    return [_out(v) for v in views]


class SharedFieldOut(Schema):
    grant: str
    label: str
    value: str


class ReferralDetailOut(Schema):
    referral: ReferralOut
    shared: list[SharedFieldOut] = Field([], description="For the receiver: what the referral shares now.")


@router.get("/referrals/{referral_id}", response={200: ReferralDetailOut, **ERRORS})
def protection_referral_get(request: HttpRequest, referral_id: int) -> ReferralDetailOut:
    """One referral; the receiving institution gets only the granted fields still in force."""
    user = request_user(request)
    view = selectors.referral_get(acting_user=user, referral_id=referral_id)
    shared = selectors.referral_shared_fields(acting_user=user, view=view)
    return ReferralDetailOut(referral=_out(view), shared=[SharedFieldOut(**s.__dict__) for s in shared])


class TransitionIn(InputSchema):
    action: ReferralAction
    reason: Text = Field("", max_length=2000)


@router.post("/referrals/{referral_id}/transitions", response={200: ReferralOut, **ERRORS})
def protection_referral_transition(request: HttpRequest, referral_id: int, payload: TransitionIn) -> ReferralOut:
    """Accept, reject, start, complete or cancel a referral, or record the first contact."""
    user = request_user(request)
    referral = Referral.objects.filter(pk=referral_id).first()
    if referral is None:
        raise NotFound(_("No such referral."))
    services.referral_transition(acting_user=user, referral=referral, action=payload.action, reason=payload.reason)
    return _out(selectors.referral_get(acting_user=user, referral_id=referral_id))


class QueuedReferralOut(Schema):
    id: int
    case_reference: str
    partner_country: str
    from_institution_id: int
    proposed_at: datetime
    first_contact_due_at: datetime


@router.get("/exchange-queue", response={200: list[QueuedReferralOut], **ERRORS})
@paginate(Pagination)
def protection_transnational_queue(request: HttpRequest) -> list[QueuedReferralOut]:
    """Partner liaisons: transnational referrals waiting to be handed to the exchange."""
    return [
        QueuedReferralOut(
            id=r.pk, case_reference=r.participation.case.reference, partner_country=r.partner_country,
            from_institution_id=r.from_institution_id, proposed_at=r.proposed_at,
            first_contact_due_at=r.first_contact_due_at,
        )
        for r in selectors.transnational_queue(acting_user=request_user(request))
    ]


class DispatchedOut(Schema):
    id: int
    exchange_status: str
    exchange_reference: str = Field(..., description="The exchange's request for assistance.")


@router.post("/referrals/{referral_id}/dispatch", response={200: DispatchedOut, **ERRORS})
def protection_referral_dispatch(request: HttpRequest, referral_id: int) -> Referral:
    """Open the exchange request that carries a queued transnational referral to the partner."""
    referral = Referral.objects.select_related("participation__case", "consent").filter(pk=referral_id).first()
    if referral is None:
        raise NotFound(_("No such referral."))
    return services.referral_dispatch(acting_user=request_user(request), referral=referral)
