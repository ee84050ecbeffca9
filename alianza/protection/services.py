"""Writes of the protection context. Each runs in one durable transaction with its audit entry;
anything that leaves the database (the exchange queue, notifications) happens on commit."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.services import audit_record
from alianza.core.errors import Conflict, PermissionDenied, ValidationFailed
from alianza.normalize import NormalizationError, normalize_country
from alianza.people.models import Participation
from alianza.protection import selectors
from alianza.protection.children import youngest_possible_age
from alianza.protection.choices import (
    ConsentPurpose,
    ExchangeQueueStatus,
    PlanStatus,
    ReferralAction,
    ReferralGrant,
    ReferralKind,
    ReferralState,
    RiskAnswer,
    ServiceKind,
)
from alianza.protection.models import (
    Consent,
    Referral,
    ReferralEvent,
    RiskAssessment,
    RiskAssessmentAnswer,
    RiskQuestion,
    Screening,
    ServiceDelivery,
    ServiceProvider,
    SupportAction,
    SupportPlan,
)

logger = logging.getLogger(__name__)


def _victim(acting_user: Any, participation: Participation) -> selectors.VictimAccess:
    return selectors.victim_get(acting_user=acting_user, participation_id=participation.pk)


def _country(value: str) -> str:
    try:
        return normalize_country(value)
    except NormalizationError as exc:
        raise ValidationFailed(exc.message, extra={"field": "partner_country"}) from None


# --- services directory ----------------------------------------------------------------------


def provider_occupancy_set(*, acting_user: Any, provider: ServiceProvider, occupied_beds: int) -> ServiceProvider:
    """The provider's own institution reports how many beds are taken."""
    if not authz.has_perm(acting_user, authz.Perm.PROTECTION_MANAGE) or (
        acting_user.institution_id != provider.institution_id
    ):
        raise PermissionDenied(_("Only the provider's institution may report its occupancy."))
    if provider.beds is None or not 0 <= occupied_beds <= provider.beds:
        raise ValidationFailed(_("Occupied beds must be between 0 and the number of beds."))
    with transaction.atomic(durable=True):
        provider.occupied_beds = occupied_beds
        provider.save(update_fields=["occupied_beds"])
        audit_record(actor=acting_user, action="protection.provider.occupancy", obj=provider,
                     changed_fields=["occupied_beds"])
    return provider


# --- per victim ------------------------------------------------------------------------------


def screening_record(
    *,
    acting_user: Any,
    participation: Participation,
    screened_on: date,
    method: str,
    result: str,
    decided_by: str,
    notes: str = "",
) -> Screening:
    """Record an identification screening; its result becomes the victim's HTCDS trafficking status."""
    _victim(acting_user, participation)
    with transaction.atomic(durable=True):
        screening = Screening.objects.create(
            participation=participation, screened_by=acting_user, screened_on=screened_on,
            method=method, result=result, decided_by=decided_by, notes=notes,
        )
        Participation.objects.filter(pk=participation.pk).update(
            trafficking_status=result, status_decided_by=decided_by
        )
        audit_record(actor=acting_user, action="protection.screening.create", obj=screening,
                     changed_fields=["screened_on", "method", "result", "decided_by", "notes"])
        audit_record(actor=acting_user, action="people.participation.update", obj=participation,
                     changed_fields=["trafficking_status", "status_decided_by"])
    return screening


def risk_level_suggested(answers: Mapping[int, str]) -> str:
    yes = sum(1 for a in answers.values() if a == RiskAnswer.YES)
    return "high" if yes >= 4 else "medium" if yes >= 2 else "low"


def risk_assessment_record(
    *,
    acting_user: Any,
    participation: Participation,
    assessed_on: date,
    answers: Mapping[int, str],
    level: str = "",
    notes: str = "",
) -> RiskAssessment:
    """Answers to the active risk questions (question id → yes/no/unknown). Every one must be answered."""
    _victim(acting_user, participation)
    questions = {q.pk: q for q in RiskQuestion.objects.filter(is_active=True)}
    missing = set(questions) - set(answers)
    unknown = set(answers) - set(questions)
    if missing or unknown or any(a not in RiskAnswer.values for a in answers.values()):
        raise ValidationFailed(_("Answer every question of the risk assessment, and only those."))
    with transaction.atomic(durable=True):
        assessment = RiskAssessment.objects.create(
            participation=participation, assessed_by=acting_user, assessed_on=assessed_on,
            level=level or risk_level_suggested(answers), notes=notes,
        )
        RiskAssessmentAnswer.objects.bulk_create(
            RiskAssessmentAnswer(assessment=assessment, question=questions[qid], answer=a)
            for qid, a in answers.items()
        )
        audit_record(actor=acting_user, action="protection.risk.create", obj=assessment,
                     changed_fields=["assessed_on", "level", "notes", "answers"])
    return assessment


def consent_record(
    *,
    acting_user: Any,
    participation: Participation,
    purpose: str,
    given_on: date,
    partner_country: str = "",
    informed_of_withdrawal: bool = False,
) -> Consent:
    _victim(acting_user, participation)
    if purpose not in ConsentPurpose.values:
        raise ValidationFailed(_("Choose the purpose of the consent."))
    if purpose == ConsentPurpose.SHARE_WITH_PARTNER:
        if not partner_country:
            raise ValidationFailed(_("Consent to sharing names the partner country it allows."))
        partner_country = _country(partner_country)
    else:
        partner_country = ""
    if not informed_of_withdrawal:
        raise ValidationFailed(_("Tell the person how to withdraw their consent before recording it."))
    with transaction.atomic(durable=True):
        consent = Consent.objects.create(
            participation=participation, purpose=purpose, partner_country=partner_country,
            given_on=given_on, informed_of_withdrawal=True, recorded_by=acting_user,
        )
        audit_record(actor=acting_user, action="protection.consent.create", obj=consent,
                     changed_fields=["purpose", "partner_country", "given_on"])
    return consent


def consent_withdraw(*, acting_user: Any, consent: Consent, now: datetime | None = None) -> Consent:
    """Withdraw a consent. Sharing that rests on it stops at once: receiving institutions see no
    more of the victim (authz checks the consent on every read) and queued packages are withheld."""
    _victim(acting_user, consent.participation)
    if consent.withdrawn_at is not None:
        raise Conflict(_("This consent has already been withdrawn."))
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        consent.withdrawn_at = now
        consent.withdrawn_by = acting_user
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(actor=acting_user, action="protection.consent.withdraw", obj=consent,
                     changed_fields=["withdrawn_at", "withdrawn_by"])
        for referral in Referral.objects.select_for_update().filter(consent=consent):
            fields = []
            if referral.exchange_status == ExchangeQueueStatus.QUEUED:
                referral.exchange_status = ExchangeQueueStatus.WITHHELD
                referral.save(update_fields=["exchange_status", "updated_at"])
                fields.append("exchange_status")
            _event(referral, actor=acting_user, action="consent_withdrawn", at=now)
            audit_record(actor=acting_user, action="protection.referral.consent_withdrawn", obj=referral,
                         changed_fields=fields)
    return consent


@dataclass(frozen=True)
class ActionInput:
    description: str
    planned_on: date
    provider_id: int | None = None


def support_plan_create(
    *,
    acting_user: Any,
    participation: Participation,
    plan_type: str,
    objectives: str,
    action_plan: str = "",
    planned_start_on: date | None = None,
    planned_end_on: date | None = None,
    actions: Sequence[ActionInput] = (),
) -> SupportPlan:
    _victim(acting_user, participation)
    if not objectives.strip():
        raise ValidationFailed(_("A support plan states its objectives."))
    if planned_start_on and planned_end_on and planned_end_on < planned_start_on:
        raise ValidationFailed(_("The planned end cannot come before the planned start."))
    with transaction.atomic(durable=True):
        plan = SupportPlan.objects.create(
            participation=participation, plan_type=plan_type, objectives=objectives, action_plan=action_plan,
            planned_start_on=planned_start_on, planned_end_on=planned_end_on, created_by=acting_user,
        )
        SupportAction.objects.bulk_create(
            SupportAction(plan=plan, description=a.description, planned_on=a.planned_on, provider_id=a.provider_id)
            for a in actions
        )
        audit_record(actor=acting_user, action="protection.plan.create", obj=plan,
                     changed_fields=["plan_type", "objectives", "action_plan", "planned_start_on",
                                     "planned_end_on", *(["actions"] if actions else [])])
    return plan


def support_action_add(*, acting_user: Any, plan: SupportPlan, action: ActionInput) -> SupportAction:
    _victim(acting_user, plan.participation)
    with transaction.atomic(durable=True):
        created = SupportAction.objects.create(
            plan=plan, description=action.description, planned_on=action.planned_on, provider_id=action.provider_id
        )
        audit_record(actor=acting_user, action="protection.plan_action.create", obj=created,
                     changed_fields=["description", "planned_on", "provider"])
    return created


def support_action_done(*, acting_user: Any, action: SupportAction, done_on: date) -> SupportAction:
    _victim(acting_user, action.plan.participation)
    with transaction.atomic(durable=True):
        action.done_on = done_on
        action.save(update_fields=["done_on"])
        audit_record(actor=acting_user, action="protection.plan_action.done", obj=action, changed_fields=["done_on"])
    return action


def service_delivery_record(
    *,
    acting_user: Any,
    participation: Participation,
    provider: ServiceProvider,
    delivered_on: date,
    description: str,
    plan: SupportPlan | None = None,
) -> ServiceDelivery:
    _victim(acting_user, participation)
    if plan is not None and plan.participation_id != participation.pk:
        raise ValidationFailed(_("That support plan belongs to someone else."))
    with transaction.atomic(durable=True):
        delivery = ServiceDelivery.objects.create(
            participation=participation, provider=provider, plan=plan, delivered_on=delivered_on,
            description=description, recorded_by=acting_user,
        )
        audit_record(actor=acting_user, action="protection.delivery.create", obj=delivery,
                     changed_fields=["provider", "plan", "delivered_on", "description"])
    return delivery


# --- referrals -------------------------------------------------------------------------------


def _event(referral: Referral, *, actor: Any, action: str, at: datetime, from_state: str = "",
           to_state: str = "", note: str = "") -> None:
    ReferralEvent.objects.create(referral=referral, actor=actor, action=action, at=at,
                                 from_state=from_state, to_state=to_state, note=note)


def _check_profile(provider: ServiceProvider, *, participation: Participation, age: int | None) -> None:
    person = participation.person
    if provider.accepted_sex and person.sex and person.sex != provider.accepted_sex:
        raise ValidationFailed(_("%(provider)s does not take people of this sex.") % {"provider": provider.name})
    if age is not None and (
        (provider.min_age is not None and age < provider.min_age)
        or (provider.max_age is not None and age > provider.max_age)
    ):
        raise ValidationFailed(_("%(provider)s does not take people of this age.") % {"provider": provider.name})
    codes = provider.nationality_codes
    if codes and person.citizenships and not set(person.citizenships) & set(codes):
        raise ValidationFailed(
            _("%(provider)s does not take people of this nationality.") % {"provider": provider.name}
        )


def referral_create(
    *,
    acting_user: Any,
    participation: Participation,
    kind: str,
    reason: str,
    granted: Collection[str],
    to_provider: ServiceProvider | None = None,
    partner_country: str = "",
    child_protection_provider: ServiceProvider | None = None,
    details: str = "",
    consent_override_reason: str = "",
    now: datetime | None = None,
) -> Referral:
    """Propose a referral. It needs the person's consent for its purpose (support, or sharing with
    the partner country); only a coordinator may proceed without it, giving a reason."""
    now = now or timezone.now()
    overriding = bool(consent_override_reason.strip())
    if overriding:
        access = selectors.victim_for_override(acting_user=acting_user, participation_id=participation.pk)
    else:
        access = selectors.victim_get(acting_user=acting_user, participation_id=participation.pk)
    participation = access.participation
    if not granted or set(granted) - set(ReferralGrant.values):
        raise ValidationFailed(_("Choose what the referral lets the receiving institution see."))

    if kind == ReferralKind.NATIONAL:
        if to_provider is None or not to_provider.is_active:
            raise ValidationFailed(_("Choose the service provider to refer the person to."))
        if to_provider.institution_id == participation.case.owner_institution_id:
            raise ValidationFailed(_("A referral goes to another institution's provider."))
        _check_profile(to_provider, participation=participation, age=youngest_possible_age(birth_date=participation.person.birth_date, today=timezone.localdate(now)))
        partner_country = ""
        purpose, consent = ConsentPurpose.SUPPORT, selectors.active_consent(
            participation=participation, purpose=ConsentPurpose.SUPPORT
        )
        due_hours = to_provider.first_contact_hours
    elif kind == ReferralKind.TRANSNATIONAL:
        partner_country = _country(partner_country)
        to_provider = None
        purpose, consent = ConsentPurpose.SHARE_WITH_PARTNER, selectors.active_consent(
            participation=participation, purpose=ConsentPurpose.SHARE_WITH_PARTNER, partner_country=partner_country
        )
        due_hours = 72
    else:
        raise ValidationFailed(_("Choose a national or a transnational referral."))

    if access.is_child:
        if child_protection_provider is None or child_protection_provider.kind != ServiceKind.CHILD_PROTECTION:
            raise ValidationFailed(
                _("This person is a child: the referral must include the child-protection authority "
                  "(Defensoría de la Niñez y Adolescencia).")
            )
    elif child_protection_provider is not None and child_protection_provider.kind != ServiceKind.CHILD_PROTECTION:
        raise ValidationFailed(_("Choose a child-protection authority or none."))

    if consent is None and not overriding:
        if purpose == ConsentPurpose.SUPPORT:
            message = _("The person has not consented to be referred for support. Record their consent "
                        "first, or ask a coordinator to override with a reason.")
        else:
            message = _("The person has not consented to sharing with %(country)s. Record their consent "
                        "first, or ask a coordinator to override with a reason.") % {"country": partner_country}
        raise PermissionDenied(message, extra={"reason": "consent_missing", "purpose": purpose})
    if overriding and consent is not None:
        consent_override_reason = ""  # consent exists; nothing to override

    with transaction.atomic(durable=True):
        referral = Referral.objects.create(
            participation=participation, kind=kind,
            from_institution_id=participation.case.owner_institution_id,
            to_provider=to_provider, to_institution_id=to_provider.institution_id if to_provider else None,
            partner_country=partner_country, child_protection_provider=child_protection_provider,
            reason=reason, details=details, granted=sorted(set(granted)), consent=consent,
            consent_override_reason=consent_override_reason if consent is None else "",
            consent_overridden_by=acting_user if consent is None else None,
            is_child=access.is_child, proposed_at=now, first_contact_due_at=now + timedelta(hours=due_hours),
            exchange_status=ExchangeQueueStatus.QUEUED if kind == ReferralKind.TRANSNATIONAL else "",
            created_by=acting_user,
        )
        _event(referral, actor=acting_user, action="proposed", at=now, to_state=ReferralState.PROPOSED)
        audit_record(actor=acting_user, action="protection.referral.create", obj=referral,
                     changed_fields=["kind", "to_provider", "partner_country", "child_protection_provider",
                                     "reason", "details", "granted", "consent"])
        if consent is None:
            _event(referral, actor=acting_user, action="consent_overridden", at=now,
                   note=consent_override_reason)
            audit_record(actor=acting_user, action="protection.referral.consent_override", obj=referral,
                         changed_fields=["consent_override_reason"])
        if kind == ReferralKind.TRANSNATIONAL:
            transaction.on_commit(lambda: _queued_for_exchange(referral.pk))
    return referral


def _queued_for_exchange(referral_id: int) -> None:
    # The exchange app will pick queued referrals up and send them as packages; until it exists
    # they wait here. Log the id only, never anything about the person.
    logger.info("transnational referral %s queued for the exchange", referral_id)


# (from states, to state, who acts)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    ReferralAction.ACCEPT: (frozenset({ReferralState.PROPOSED}), ReferralState.ACCEPTED, "receiver"),
    ReferralAction.REJECT: (frozenset({ReferralState.PROPOSED}), ReferralState.REJECTED, "receiver"),
    ReferralAction.START: (frozenset({ReferralState.ACCEPTED}), ReferralState.IN_SERVICE, "receiver"),
    ReferralAction.COMPLETE: (frozenset({ReferralState.IN_SERVICE}), ReferralState.COMPLETED, "receiver"),
    ReferralAction.CANCEL: (
        frozenset({ReferralState.PROPOSED, ReferralState.ACCEPTED, ReferralState.IN_SERVICE}),
        ReferralState.CANCELLED, "referrer",
    ),
}


def referral_transition(
    *, acting_user: Any, referral: Referral, action: str, reason: str = "", now: datetime | None = None
) -> Referral:
    """Move a referral along proposed → accepted/rejected → in service → completed/cancelled."""
    now = now or timezone.now()
    view = selectors.referral_get(acting_user=acting_user, referral_id=referral.pk, now=now)
    if action == ReferralAction.FIRST_CONTACT:
        return _first_contact(acting_user=acting_user, view=view, now=now)
    if action not in TRANSITIONS:
        raise ValidationFailed(_("Unknown action."))
    from_states, to_state, actor_party = TRANSITIONS[action]
    if view.party != actor_party:
        raise PermissionDenied(_("Your institution cannot take this step on this referral."))
    if referral.kind == ReferralKind.NATIONAL and referral.to_institution_id != acting_user.institution_id \
            and actor_party == "receiver":
        raise PermissionDenied(_("Only the receiving provider's institution can take this step."))
    if action in (ReferralAction.REJECT, ReferralAction.CANCEL) and not reason.strip():
        raise ValidationFailed(_("Give a reason."))
    with transaction.atomic(durable=True):
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.state not in from_states:
            raise Conflict(
                _("The referral is %(state)s; it cannot be changed that way.") % {"state": locked.get_state_display()}
            )
        previous = locked.state
        if to_state == ReferralState.IN_SERVICE:
            _take_bed(locked)
        if previous == ReferralState.IN_SERVICE and to_state in (ReferralState.COMPLETED, ReferralState.CANCELLED):
            _free_bed(locked)
        locked.state = to_state
        locked.state_reason = reason
        locked.save(update_fields=["state", "state_reason", "updated_at"])
        _event(locked, actor=acting_user, action=str(action), at=now, from_state=previous, to_state=to_state,
               note=reason)
        audit_record(actor=acting_user, action=f"protection.referral.{action}", obj=locked,
                     changed_fields=["state", *(["state_reason"] if reason else [])])
    return locked


def _take_bed(referral: Referral) -> None:
    provider = referral.to_provider
    if provider is None or provider.kind != ServiceKind.SHELTER or provider.beds is None:
        return
    updated = ServiceProvider.objects.filter(pk=provider.pk, occupied_beds__lt=F("beds")).update(
        occupied_beds=F("occupied_beds") + 1
    )
    if not updated:
        raise Conflict(_("%(provider)s has no free bed.") % {"provider": provider.name})


def _free_bed(referral: Referral) -> None:
    provider = referral.to_provider
    if provider is None or provider.kind != ServiceKind.SHELTER or provider.beds is None:
        return
    ServiceProvider.objects.filter(pk=provider.pk, occupied_beds__gt=0).update(occupied_beds=F("occupied_beds") - 1)


def _first_contact(*, acting_user: Any, view: selectors.ReferralView, now: datetime) -> Referral:
    if view.party != "receiver":
        raise PermissionDenied(_("Only the receiving institution records the first contact."))
    with transaction.atomic(durable=True):
        locked = Referral.objects.select_for_update().get(pk=view.referral.pk)
        if locked.first_contact_at is not None:
            raise Conflict(_("The first contact has already been recorded."))
        if locked.state not in (ReferralState.PROPOSED, ReferralState.ACCEPTED, ReferralState.IN_SERVICE):
            raise Conflict(_("The referral is closed."))
        locked.first_contact_at = now
        locked.save(update_fields=["first_contact_at", "updated_at"])
        _event(locked, actor=acting_user, action="first_contact", at=now)
        audit_record(actor=acting_user, action="protection.referral.first_contact", obj=locked,
                     changed_fields=["first_contact_at"])
    return locked


def referral_dispatch(*, acting_user: Any, referral: Referral, now: datetime | None = None) -> Referral:
    """A partner liaison hands a queued transnational referral to the exchange: it opens a request
    for assistance of type "referral" to the partner's node, which the case package then answers.
    What the package carries of the victim is decided by the agreement and the recorded consent."""
    from alianza.agreements.models import PartnerNode
    from alianza.exchange import services as exchange_services
    from alianza.exchange.models import RequestType

    now = now or timezone.now()
    if not authz.has_perm(acting_user, authz.Perm.EXCHANGE_SEND):
        raise PermissionDenied(_("Only partner liaisons hand referrals to the exchange."))
    if referral.kind != ReferralKind.TRANSNATIONAL or referral.exchange_status != ExchangeQueueStatus.QUEUED:
        raise Conflict(_("This referral is not waiting for the exchange."))
    if referral.state not in (ReferralState.PROPOSED, ReferralState.ACCEPTED):
        raise Conflict(_("The referral is closed."))
    consent = referral.consent
    if consent is not None and consent.withdrawn_at is not None:
        raise Conflict(_("The consent for this referral has been withdrawn."))
    partner = PartnerNode.objects.filter(country=referral.partner_country, is_active=True).order_by("pk").first()
    if partner is None:
        raise ValidationFailed(
            _("There is no active partner node for %(country)s.") % {"country": referral.partner_country}
        )
    case = referral.participation.case
    # The exchange's own durable transaction; if ours below failed, the request would stay open
    # and the referral queued, and dispatching again opens a second request, never loses one.
    request = exchange_services.request_create(
        acting_user=acting_user, partner=partner, type=RequestType.REFERRAL,
        subject=_("Transnational referral of a victim (case %(reference)s)") % {"reference": case.reference},
        deadline=timezone.localdate(referral.first_contact_due_at), case_reference=case.reference,
        details=referral.details,
    )
    with transaction.atomic(durable=True):
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        locked.exchange_status = ExchangeQueueStatus.SENT
        locked.exchange_reference = request.reference
        locked.save(update_fields=["exchange_status", "exchange_reference", "updated_at"])
        _event(locked, actor=acting_user, action="dispatched", at=now, note=request.reference)
        audit_record(actor=acting_user, action="protection.referral.dispatch", obj=locked,
                     changed_fields=["exchange_status", "exchange_reference"])
    return locked


def support_plan_close(*, acting_user: Any, plan: SupportPlan, status: str, actual_end_on: date) -> SupportPlan:
    """End a support plan, completed or not, on its actual end date (HTCDS spl_ActualEndDate)."""
    _victim(acting_user, plan.participation)
    if status not in (PlanStatus.COMPLETED, PlanStatus.CLOSED):
        raise ValidationFailed(_("A plan ends completed or closed without completion."))
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(_("This support plan has already ended."))
    if plan.planned_start_on and actual_end_on < plan.planned_start_on:
        raise ValidationFailed(_("The plan cannot end before it started."))
    with transaction.atomic(durable=True):
        plan.status = status
        plan.actual_end_on = actual_end_on
        plan.save(update_fields=["status", "actual_end_on"])
        audit_record(actor=acting_user, action="protection.plan.close", obj=plan,
                     changed_fields=["status", "actual_end_on"])
    return plan
