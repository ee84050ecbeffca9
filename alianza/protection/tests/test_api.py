from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from alianza.audit.models import AuditEntry
from alianza.protection.models import Referral
from conftest import sign_in

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_referral_api_refuses_without_consent_then_shares_only_grants(world: Any) -> None:
    worker = sign_in(Client(), world.worker)
    base = f"/api/v1/protection/victims/{world.victim.pk}"
    referral = {"kind": "national", "reason": "AdditionalServicesRequired", "granted": ["sex_and_age"],
                "to_provider_id": world.shelter.pk}
    refused = _post(worker, f"{base}/referrals", referral)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["reason"] == "consent_missing"

    consent = _post(worker, f"{base}/consents", {"purpose": "support", "given_on": "2026-11-20",
                                                 "informed_of_withdrawal": True})
    assert consent.status_code == 201
    created = _post(worker, f"{base}/referrals", referral)
    assert created.status_code == 201, created.content
    referral_id = created.json()["id"]

    receiver = sign_in(Client(), world.shelter_worker)
    detail = receiver.get(f"/api/v1/protection/referrals/{referral_id}").json()
    assert [f["grant"] for f in detail["shared"]] == ["sex_and_age"]
    moved = _post(receiver, f"/api/v1/protection/referrals/{referral_id}/transitions", {"action": "accept"})
    assert moved.json()["state"] == "accepted"

    withdrawn = worker.post(f"/api/v1/protection/consents/{consent.json()['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert receiver.get(f"/api/v1/protection/referrals/{referral_id}").json()["shared"] == []


def test_override_api_is_for_coordinators(world: Any) -> None:
    body = {"kind": "national", "reason": "Other", "granted": ["sex_and_age"], "to_provider_id": world.shelter.pk,
            "consent_override_reason": "Riesgo para la vida"}
    url = f"/api/v1/protection/victims/{world.victim.pk}/referrals/override"
    assert _post(sign_in(Client(), world.worker), url, body).status_code == 403
    response = _post(sign_in(Client(), world.coordinator), url, body)
    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert AuditEntry.objects.filter(action="protection.referral.consent_override", object_id=str(referral.pk)).exists()


def test_provider_list_api(world: Any) -> None:
    response = sign_in(Client(), world.worker).get("/api/v1/protection/providers", {"kind": "child_protection"})
    assert [p["name"] for p in response.json()["items"]] == [world.defensoria.name]


def test_unknown_fields_are_refused(world: Any) -> None:
    response = _post(sign_in(Client(), world.worker), f"/api/v1/protection/victims/{world.victim.pk}/consents",
                     {"purpose": "support", "given_on": "2026-11-20", "informed_of_withdrawal": True, "x": 1})
    assert response.status_code == 422
