from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alianza.audit.models import AuditEntry
from alianza.protection import services
from alianza.protection.choices import ConsentPurpose, ReferralGrant, ReferralState
from alianza.protection.models import Consent, Referral, SupportPlan
from conftest import sign_in

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    return sign_in(Client(), user)


def test_case_worker_records_consent_plan_and_refers(world: Any) -> None:
    client = _client(world.worker)
    victim_url = reverse("protection:victim_detail", args=[world.victim.pk])
    assert world.victim.person.first_surname in client.get(victim_url).content.decode()
    assert AuditEntry.objects.filter(action="protection.victim.view").exists()

    refer_url = reverse("protection:referral_create", args=[world.victim.pk])
    data = {"to_provider": world.shelter.pk, "reason": "AdditionalServicesRequired",
            "granted": [ReferralGrant.SEX_AND_AGE]}
    refused = client.post(refer_url, data)
    assert refused.status_code == 200
    assert "has not consented to be referred" in refused.content.decode()
    assert not Referral.objects.exists()

    response = client.post(reverse("protection:consent_create", args=[world.victim.pk]), {
        "purpose": ConsentPurpose.SUPPORT, "given_on": "2026-11-20", "informed_of_withdrawal": "on",
    })
    assert response.status_code == 302 and Consent.objects.count() == 1
    response = client.post(reverse("protection:plan_create", args=[world.victim.pk]), {
        "plan_type": "SocialCare", "objectives": "Alojamiento seguro", "first_action": "Ingreso al albergue",
        "first_action_on": "2026-12-01",
    })
    assert response.status_code == 302 and SupportPlan.objects.get().actions.count() == 1
    assert client.post(refer_url, data).status_code == 302
    referral = Referral.objects.get()

    receiver = _client(world.shelter_worker)
    detail = receiver.get(reverse("protection:referral_detail", args=[referral.pk])).content.decode()
    assert 'data-grant="sex_and_age"' in detail and world.victim.person.first_surname not in detail
    receiver.post(reverse("protection:referral_transition", args=[referral.pk, "accept"]))
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED


def test_withdraw_consent_view(world: Any) -> None:
    consent = services.consent_record(acting_user=world.worker, participation=world.victim,
                                      purpose=ConsentPurpose.SUPPORT, given_on=dt.date(2026, 11, 1),
                                      informed_of_withdrawal=True)
    response = _client(world.worker).post(reverse("protection:consent_withdraw", args=[consent.pk]))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert _client(world.outsider).post(reverse("protection:consent_withdraw", args=[consent.pk])).status_code == 404


def test_outsider_gets_404_for_a_victim(world: Any) -> None:
    response = _client(world.outsider).get(reverse("protection:victim_detail", args=[world.victim.pk]))
    assert response.status_code == 404


def test_coordinator_override_page(world: Any) -> None:
    client = _client(world.coordinator)
    url = reverse("protection:referral_override", args=[world.victim.pk])
    response = client.post(url, {"to_provider": world.shelter.pk, "reason": "Other",
                                 "granted": [ReferralGrant.SEX_AND_AGE],
                                 "consent_override_reason": "Orden judicial de protección"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent_override_reason == "Orden judicial de protección"
    assert AuditEntry.objects.filter(action="protection.referral.consent_override", object_id=str(referral.pk)).exists()


def test_directory_and_dashboard_render(world: Any, django_assert_max_num_queries: Any) -> None:
    client = _client(world.worker)
    response = client.get(reverse("protection:provider_list"), {"kind": "shelter"})
    assert world.shelter.name in response.content.decode()
    with django_assert_max_num_queries(25):
        response = client.get(reverse("protection:dashboard"))
    assert response.status_code == 200


def test_other_victim_pages(world: Any) -> None:
    from alianza.protection.tests.factories import RiskQuestionFactory

    question = RiskQuestionFactory()
    client = _client(world.worker)
    args = [world.victim.pk]
    assert client.post(reverse("protection:screening_create", args=args), {
        "screened_on": "2026-11-20", "method": "interview", "result": "PossibleVictimOfTrafficking",
        "decided_by": "NGO",
    }).status_code == 302
    assert client.post(reverse("protection:risk_create", args=args), {
        "assessed_on": "2026-11-20", f"q_{question.pk}": "yes",
    }).status_code == 302
    assert client.post(reverse("protection:delivery_create", args=args), {
        "provider": world.shelter.pk, "delivered_on": "2026-11-21", "description": "Acogida de emergencia",
    }).status_code == 302
    page = client.get(reverse("protection:victim_detail", args=args)).content.decode()
    assert "Acogida de emergencia" in page
    assert client.get(reverse("protection:referral_list")).status_code == 200


def test_refused_referral_shows_where_a_coordinator_overrides(world: Any) -> None:
    response = _client(world.worker).post(reverse("protection:referral_create", args=[world.victim.pk]), {
        "to_provider": world.shelter.pk, "reason": "Other", "granted": [ReferralGrant.SEX_AND_AGE],
    })
    assert reverse("protection:referral_override", args=[world.victim.pk]) in response.content.decode()


def test_end_a_support_plan(world: Any) -> None:
    plan = services.support_plan_create(acting_user=world.worker, participation=world.victim, plan_type="Legal",
                                        objectives="Acompañamiento en el proceso penal")
    response = _client(world.worker).post(reverse("protection:plan_close", args=[plan.pk]),
                                          {f"plan-{plan.pk}-status": "completed",
                                           f"plan-{plan.pk}-actual_end_on": "2026-12-20"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "completed" and plan.actual_end_on == dt.date(2026, 12, 20)
    assert AuditEntry.objects.filter(action="protection.plan.close", object_id=str(plan.pk)).exists()
