from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from alianza.audit.models import AuditEntry
from alianza.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from alianza.protection import selectors, services
from alianza.protection.choices import (
    ConsentPurpose,
    ExchangeQueueStatus,
    ReferralAction,
    ReferralGrant,
    ReferralKind,
    ReferralReason,
    ReferralState,
    RiskAnswer,
)
from alianza.protection.models import ReferralEvent
from alianza.protection.tests.factories import RiskQuestionFactory

pytestmark = pytest.mark.django_db
GRANTS = [ReferralGrant.NAME, ReferralGrant.SEX_AND_AGE]


def _consent(world: Any, participation: Any = None, **kwargs: Any) -> Any:
    return services.consent_record(
        acting_user=world.worker, participation=participation or world.victim,
        purpose=kwargs.pop("purpose", ConsentPurpose.SUPPORT), given_on=dt.date(2026, 11, 1),
        informed_of_withdrawal=True, **kwargs,
    )


def _refer(world: Any, participation: Any = None, **kwargs: Any) -> Any:
    return services.referral_create(
        acting_user=kwargs.pop("acting_user", world.worker), participation=participation or world.victim,
        kind=kwargs.pop("kind", ReferralKind.NATIONAL), reason=ReferralReason.ADDITIONAL_SERVICES,
        granted=kwargs.pop("granted", GRANTS), to_provider=kwargs.pop("to_provider", world.shelter), **kwargs,
    )


def _actions(referral: Any) -> list[str]:
    return list(AuditEntry.objects.filter(object_type="protection.referral", object_id=str(referral.pk))
                .order_by("seq").values_list("action", flat=True))


def test_referral_without_consent_is_refused_with_a_clear_message(world: Any) -> None:
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        _refer(world)
    assert "not consented to be referred for support" in exc.value.message
    assert exc.value.extra["reason"] == "consent_missing"


def test_coordinator_override_is_recorded_and_audited(world: Any) -> None:
    with pytest.raises(PermissionDenied):  # a case worker cannot override
        _refer(world, consent_override_reason="Riesgo inminente")
    referral = _refer(world, acting_user=world.coordinator, consent_override_reason="Riesgo inminente")
    assert referral.consent is None and referral.consent_overridden_by == world.coordinator
    assert "protection.referral.consent_override" in _actions(referral)
    event = ReferralEvent.objects.get(referral=referral, action="consent_overridden")
    assert event.note == "Riesgo inminente"


def test_referral_lifecycle_is_audited_and_fills_a_bed(world: Any) -> None:
    _consent(world)
    referral = _refer(world)
    assert referral.state == ReferralState.PROPOSED
    assert referral.first_contact_due_at - referral.proposed_at == dt.timedelta(hours=72)
    with pytest.raises(PermissionDenied):  # the referrer cannot accept its own referral
        services.referral_transition(acting_user=world.worker, referral=referral, action=ReferralAction.ACCEPT)
    for action in (ReferralAction.ACCEPT, ReferralAction.FIRST_CONTACT, ReferralAction.START, ReferralAction.COMPLETE):
        referral = services.referral_transition(acting_user=world.shelter_worker, referral=referral, action=action)
    assert referral.state == ReferralState.COMPLETED
    world.shelter.refresh_from_db()
    assert world.shelter.occupied_beds == 2  # taken at the start of service, freed at completion
    assert _actions(referral) == [
        "protection.referral.create", "protection.referral.accept", "protection.referral.first_contact",
        "protection.referral.start", "protection.referral.complete",
    ]
    with pytest.raises(Conflict):
        services.referral_transition(acting_user=world.worker, referral=referral, action=ReferralAction.CANCEL,
                                     reason="Ya no hace falta")


def test_reject_needs_a_reason(world: Any) -> None:
    _consent(world)
    referral = _refer(world)
    with pytest.raises(ValidationFailed):
        services.referral_transition(acting_user=world.shelter_worker, referral=referral, action=ReferralAction.REJECT)


def test_full_shelter_cannot_start_service(world: Any) -> None:
    _consent(world)
    world.shelter.occupied_beds = world.shelter.beds
    world.shelter.save()
    referral = _refer(world)
    services.referral_transition(acting_user=world.shelter_worker, referral=referral, action=ReferralAction.ACCEPT)
    with pytest.raises(Conflict):
        services.referral_transition(acting_user=world.shelter_worker, referral=referral, action=ReferralAction.START)


def test_withdrawing_consent_stops_sharing_immediately(world: Any) -> None:
    consent = _consent(world)
    referral = _refer(world)
    view = selectors.referral_get(acting_user=world.shelter_worker, referral_id=referral.pk)
    assert view.visible == frozenset(GRANTS)
    assert [f.grant for f in selectors.referral_shared_fields(acting_user=world.shelter_worker, view=view)] == GRANTS
    services.consent_withdraw(acting_user=world.worker, consent=consent)
    view = selectors.referral_get(acting_user=world.shelter_worker, referral_id=referral.pk)
    assert view.visible == frozenset()
    assert selectors.referral_shared_fields(acting_user=world.shelter_worker, view=view) == []
    assert "protection.referral.consent_withdrawn" in _actions(referral)


def test_receiver_sees_only_granted_fields(world: Any) -> None:
    _consent(world)
    referral = _refer(world, granted=[ReferralGrant.SEX_AND_AGE])
    view = selectors.referral_get(acting_user=world.shelter_worker, referral_id=referral.pk)
    shared = selectors.referral_shared_fields(acting_user=world.shelter_worker, view=view)
    assert [f.grant for f in shared] == [ReferralGrant.SEX_AND_AGE]
    assert world.victim.person.first_surname not in shared[0].value
    with pytest.raises(NotFound):
        selectors.referral_get(acting_user=world.outsider, referral_id=referral.pk)
    with pytest.raises(NotFound):  # the receiver does not get the victim's file
        selectors.victim_get(acting_user=world.shelter_worker, participation_id=world.victim.pk)


def test_transnational_referral_needs_consent_for_that_country_and_is_queued(world: Any) -> None:
    _consent(world, purpose=ConsentPurpose.SHARE_WITH_PARTNER, partner_country="Perú")
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        _refer(world, kind=ReferralKind.TRANSNATIONAL, to_provider=None, partner_country="ARG")
    assert "ARG" in exc.value.message
    consent = _consent(world, purpose=ConsentPurpose.SHARE_WITH_PARTNER, partner_country="ARG")
    referral = _refer(world, kind=ReferralKind.TRANSNATIONAL, to_provider=None, partner_country="Argentina")
    assert referral.partner_country == "ARG" and referral.exchange_status == ExchangeQueueStatus.QUEUED
    services.consent_withdraw(acting_user=world.worker, consent=consent)
    referral.refresh_from_db()
    assert referral.exchange_status == ExchangeQueueStatus.WITHHELD


def test_child_referral_requires_the_child_protection_authority(world: Any) -> None:
    _consent(world, participation=world.child)
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        _refer(world, participation=world.child)
    assert "Defensoría" in exc.value.message
    referral = _refer(world, participation=world.child, child_protection_provider=world.defensoria,
                      granted=[ReferralGrant.NAME, ReferralGrant.SEX_AND_AGE])
    assert referral.is_child
    view = selectors.referral_get(acting_user=world.defensoria_worker, referral_id=referral.pk)
    assert view.party == "receiver" and ReferralGrant.NAME in view.visible


def test_profile_mismatch_is_refused(world: Any) -> None:
    _consent(world)
    world.shelter.accepted_sex = "M"
    world.shelter.save()
    with pytest.raises(ValidationFailed):
        _refer(world)


def test_screening_sets_the_htcds_status(world: Any) -> None:
    services.screening_record(
        acting_user=world.worker, participation=world.victim, screened_on=dt.date(2026, 11, 2),
        method="interview", result="ActualVictimOfTrafficking", decided_by="NGO",
    )
    world.victim.refresh_from_db()
    assert world.victim.trafficking_status == "ActualVictimOfTrafficking"
    assert world.victim.status_decided_by == "NGO"


def test_risk_assessment_needs_every_active_question(world: Any) -> None:
    q1, q2 = RiskQuestionFactory(), RiskQuestionFactory()
    with pytest.raises(ValidationFailed):
        services.risk_assessment_record(acting_user=world.worker, participation=world.victim,
                                        assessed_on=dt.date(2026, 11, 2), answers={q1.pk: RiskAnswer.YES})
    assessment = services.risk_assessment_record(
        acting_user=world.worker, participation=world.victim, assessed_on=dt.date(2026, 11, 2),
        answers={q1.pk: RiskAnswer.YES, q2.pk: RiskAnswer.YES},
    )
    assert assessment.level == "medium" and assessment.answers.count() == 2


def test_consent_for_sharing_names_a_country_and_informs_of_withdrawal(world: Any) -> None:
    with pytest.raises(ValidationFailed):
        _consent(world, purpose=ConsentPurpose.SHARE_WITH_PARTNER)
    with pytest.raises(ValidationFailed):
        services.consent_record(acting_user=world.worker, participation=world.victim,
                                purpose=ConsentPurpose.SUPPORT, given_on=dt.date(2026, 11, 1))


def test_outsiders_cannot_touch_a_victim(world: Any) -> None:
    with pytest.raises(NotFound):
        services.consent_record(
            acting_user=world.outsider, participation=world.victim, purpose=ConsentPurpose.SUPPORT,
            given_on=dt.date(2026, 11, 1), informed_of_withdrawal=True,
        )


def test_support_plan_with_actions_becomes_due(world: Any) -> None:
    today = timezone.localdate()
    services.support_plan_create(
        acting_user=world.worker, participation=world.victim, plan_type="Health", objectives="Atención médica",
        planned_start_on=today, planned_end_on=today + dt.timedelta(days=30),
        actions=[services.ActionInput("Primera consulta", today + dt.timedelta(days=2))],
    )
    assert [a.description for a in selectors.due_actions(acting_user=world.worker)] == ["Primera consulta"]
    with pytest.raises(ValidationFailed):
        services.support_plan_create(acting_user=world.worker, participation=world.victim, plan_type="Health",
                                     objectives="x", planned_start_on=today,
                                     planned_end_on=today - dt.timedelta(days=1))


def test_htcds_mapping(world: Any) -> None:
    from alianza.protection.htcds import consent_htcds, referral_htcds, support_plan_htcds

    consent = _consent(world)
    plan = services.support_plan_create(
        acting_user=world.worker, participation=world.victim, plan_type="Health", objectives="Atención",
        planned_end_on=dt.date(2027, 1, 31), actions=[services.ActionInput("Consulta", dt.date(2026, 12, 1))],
    )
    referral = _refer(world)
    services.referral_transition(acting_user=world.shelter_worker, referral=referral, action=ReferralAction.ACCEPT)
    assert support_plan_htcds(plan) == {
        "spl_Type": "Health", "spl_Objectives": "Atención", "spl_ActionPlan": "2026-12-01: Consulta",
        "spl_PlannedEndDate": "2027-01-31", "spl_ActualEndDate": None,
    }
    assert consent_htcds([consent]) == {"con_Consent": True}
    mapped = referral_htcds(referral)
    assert mapped["cas_ReferredOrganisation"] == world.shelter_institution.name
    assert mapped["cas_ReasonForOutgoingReferral"] == "AdditionalServicesRequired"
    assert mapped["cas_IncomingReferralDate"] is not None


def test_liaison_hands_a_queued_transnational_referral_to_the_exchange(world: Any) -> None:
    from alianza.accounts.roles import Role
    from alianza.accounts.tests.factories import UserFactory
    from alianza.agreements import services as agreement_services
    from alianza.exchange.models import AssistanceRequest, RequestType

    agreement_services.partner_node_create(acting_user=None, node_id="alianza-arg", country="ARG", name="AR",
                                           inbox_url="https://partner.invalid/api/v1/exchange/inbox")
    agreement_services.agreement_create(
        acting_user=None, reference="BOL-ARG-TEST", partner_country="ARG", title="Acuerdo de prueba",
        type="bilateral_agreement", signed_on=dt.date(2010, 1, 1), in_force_from=dt.date(2010, 1, 1),
        expires_on=None, scope="both", categories=["case_summary", "victim_identity"],
        victim_legal_bases=["judicial_order"], purposes=["victim_protection"], handling_code="H2", retention_days=365,
    )
    liaison = UserFactory(role=Role.PARTNER_LIAISON, institution=world.owner)
    _consent(world, purpose=ConsentPurpose.SHARE_WITH_PARTNER, partner_country="ARG")
    referral = _refer(world, kind=ReferralKind.TRANSNATIONAL, to_provider=None, partner_country="ARG")
    assert list(selectors.transnational_queue(acting_user=liaison)) == [referral]
    with pytest.raises(PermissionDenied):
        services.referral_dispatch(acting_user=world.worker, referral=referral)
    dispatched = services.referral_dispatch(acting_user=liaison, referral=referral)
    assert dispatched.exchange_status == ExchangeQueueStatus.SENT
    request = AssistanceRequest.objects.get(reference=dispatched.exchange_reference)
    assert request.type == RequestType.REFERRAL and request.case_reference == world.victim.case.reference
    assert list(selectors.transnational_queue(acting_user=liaison)) == []
    with pytest.raises(Conflict):
        services.referral_dispatch(acting_user=liaison, referral=dispatched)
