from __future__ import annotations

from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.agreements.models import Agreement

pytestmark = pytest.mark.django_db


def test_coordinator_creates_and_edits_an_agreement(client_for: Any) -> None:
    client = client_for(Role.COORDINATOR)
    data = {
        "reference": "BOL-CHL-T", "partner_country": "CHL", "title": "Protocolo de prueba", "type": "protocol",
        "signed_on": "2019-01-01", "in_force_from": "2019-02-01", "expires_on": "", "scope": "both",
        "categories": ["statistics", "route"], "purposes": ["statistics"], "handling_code": "H2",
        "retention_days": "730", "focal_points": "Mesa intersectorial",
    }
    response = client.post("/agreements/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get(reference="BOL-CHL-T")
    assert agreement.categories == ["route", "statistics"]
    page = client.get("/agreements/")
    assert "BOL-CHL-T" in page.content.decode()
    response = client.post(f"/agreements/{agreement.pk}/", {**data, "handling_code": "H3"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.handling_code == "H3"


def test_invalid_dates_are_shown_on_the_form(client_for: Any) -> None:
    client = client_for(Role.COORDINATOR)
    response = client.post("/agreements/new/", {
        "reference": "X", "partner_country": "CHL", "title": "t", "type": "protocol",
        "signed_on": "2019-05-01", "in_force_from": "2019-02-01", "scope": "both",
        "categories": ["statistics"], "purposes": ["statistics"], "handling_code": "H2", "retention_days": "7",
    })
    assert response.status_code == 200
    assert not Agreement.objects.exists()


def test_partner_node_page_shows_only_public_keys(client_for: Any, settings: Any, tmp_path: Any) -> None:
    from alianza.agreements import keys

    settings.ALIANZA_KEYS_DIR = str(tmp_path / "k")
    keys.forget_cached_keys()
    node_keys = keys.node_keys_init()
    page = client_for(Role.COORDINATOR).get("/agreements/nodes/").content.decode()
    assert node_keys.signing.kid in page
    assert node_keys.signing.as_dict(private=True)["d"] not in page
    keys.forget_cached_keys()
