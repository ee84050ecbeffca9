from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from alianza.accounts.roles import Role
from alianza.cases.tests.factories import PersonFactory
from alianza.exchange.models import InboundPackage, ReceivedRecord
from alianza.exchange.tests.conftest import Partner
from alianza.exchange.tests.test_services import _from_partner

pytestmark = pytest.mark.django_db


def _post(token: str) -> Any:
    return Client().post("/api/v1/exchange/inbox", data=token, content_type="application/jose")


def test_partner_posts_a_package_without_a_user_and_gets_a_receipt(peru: Partner) -> None:
    response = _post(_from_partner(peru))
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "accepted" and response.json()["receipt"].count(".") == 2
    assert InboundPackage.objects.count() == 1


def test_refusal_says_why(peru: Partner) -> None:
    token = _from_partner(peru)
    _post(token)
    again = _post(token)
    assert again.status_code == 409
    assert again.json()["error"]["details"]["reason"] == "replay"
    assert _post("garbage").json()["error"]["details"]["reason"] == "malformed"


def test_jwks_is_public_and_holds_no_private_key(node: Any) -> None:
    body = Client().get("/api/v1/exchange/jwks").json()
    assert {k["crv"] for k in body["keys"]} == {"Ed25519", "X25519"}
    assert all("d" not in k for k in body["keys"])


def test_reviewer_imports_through_the_api(peru: Partner, client_for: Any, institution: Any) -> None:
    _post(_from_partner(peru))
    local = PersonFactory(owner_institution=institution)
    inbound = InboundPackage.objects.get()
    client = client_for(Role.PARTNER_LIAISON)
    listing = client.get("/api/v1/exchange/inbox?status=pending").json()
    assert listing["count"] == 1 and listing["items"][0]["handling_code"] == "H2"
    response = client.post(f"/api/v1/exchange/inbox/{inbound.pk}/import", data={"links": {"S-1": f"person:{local.pk}"}},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["imported"] == ReceivedRecord.objects.count() > 0
    assert client_for(Role.ANALYST).get("/api/v1/exchange/inbox").status_code == 403
