from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from alianza.accounts.roles import Role
from alianza.agreements import selectors, services
from alianza.agreements.demo import DEMO_AGREEMENTS, demo_agreements_seed
from alianza.agreements.models import Agreement, PartnerNode
from alianza.audit.models import AuditEntry
from alianza.core.errors import PermissionDenied, ValidationFailed
from alianza.exchange.tests.fixtures import new_keys

pytestmark = pytest.mark.django_db


def _agreement(**overrides: Any) -> Agreement:
    values: dict[str, Any] = {
        "reference": "BOL-PER-TEST", "partner_country": "PER", "title": "Acuerdo de prueba",
        "type": "bilateral_agreement", "signed_on": date(2020, 1, 1), "in_force_from": date(2020, 2, 1),
        "scope": "trafficking", "categories": ["statistics", "case_summary"],
        "purposes": ["investigation"], "handling_code": "H1", "retention_days": 365,
    }
    values.update(overrides)
    return services.agreement_create(acting_user=None, **values)


def test_create_is_audited_with_field_names_only() -> None:
    agreement = _agreement()
    entry = AuditEntry.objects.get(action="agreement.create", object_id=str(agreement.pk))
    assert "categories" in entry.changed_fields and "Acuerdo de prueba" not in str(entry.changed_fields)


@pytest.mark.parametrize(
    "overrides",
    [
        {"categories": ["everything"]},
        {"categories": []},
        {"purposes": ["curiosity"]},
        {"in_force_from": date(2019, 1, 1)},
        {"expires_on": date(2020, 1, 15)},
        {"handling_code": "H7"},
        {"victim_legal_bases": ["because"]},
    ],
)
def test_invalid_agreements_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        _agreement(**overrides)
    assert not Agreement.objects.exists()


def test_only_coordinators_manage_agreements(make_user: Any) -> None:
    liaison = make_user(Role.PARTNER_LIAISON)
    liaison.is_verified = lambda: True
    with pytest.raises(PermissionDenied):
        _agreement_as(liaison)
    coordinator = make_user(Role.COORDINATOR)
    coordinator.is_verified = lambda: True
    assert _agreement_as(coordinator).pk


def _agreement_as(user: Any) -> Agreement:
    return services.agreement_create(
        acting_user=user, reference="BOL-ARG-T", partner_country="ARG", title="t", type="protocol",
        signed_on=date(2020, 1, 1), in_force_from=date(2020, 1, 1), scope="both",
        categories=["statistics"], purposes=["statistics"], handling_code="H0", retention_days=30,
    )


def test_agreement_for_exchange_checks_force_and_scope() -> None:
    _agreement(expires_on=date(2030, 1, 1))
    assert selectors.agreement_for_exchange(country="PER", crime_type="trafficking", on=date(2025, 1, 1))
    assert selectors.agreement_for_exchange(country="PER", crime_type="smuggling", on=date(2025, 1, 1)) is None
    assert selectors.agreement_for_exchange(country="PER", crime_type="trafficking", on=date(2031, 1, 1)) is None
    assert selectors.agreement_for_exchange(country="PER", crime_type="trafficking", on=date(2019, 1, 1)) is None


def test_update_records_what_changed() -> None:
    agreement = _agreement()
    services.agreement_update(acting_user=None, agreement=agreement, handling_code="H2", title=agreement.title)
    entry = AuditEntry.objects.get(action="agreement.update")
    assert entry.changed_fields == ["handling_code"]


def test_partner_keys_rotate_and_refuse_private_keys() -> None:
    node = services.partner_node_create(acting_user=None, node_id="alianza-per", country="PER", name="Perú")
    old_signing, _ = new_keys()
    new_signing, _ = new_keys()
    with translation.override("en"), pytest.raises(ValidationFailed, match="private"):
        services.partner_key_add(acting_user=None, node=node, use="sig", jwk=old_signing.as_dict(private=True))
    with pytest.raises(ValidationFailed):
        services.partner_key_add(acting_user=None, node=node, use="enc", jwk=old_signing.as_dict(private=False))
    now = timezone.now()
    old = services.partner_key_add(
        acting_user=None, node=node, use="sig", jwk=old_signing.as_dict(private=False),
        valid_from=now - timedelta(days=30), valid_until=now + timedelta(days=1),
    )
    services.partner_key_add(acting_user=None, node=node, use="sig", jwk=new_signing.as_dict(private=False))
    # During the overlap both keys verify; after it, only the new one.
    assert selectors.partner_key_for_verification(node=node, kid=old.kid)
    assert selectors.partner_key_for_verification(node=node, kid=new_signing.thumbprint())
    assert selectors.partner_key_for_verification(node=node, kid=old.kid, at=now + timedelta(days=2)) is None
    services.partner_key_revoke(acting_user=None, key=old)
    assert selectors.partner_key_for_verification(node=node, kid=old.kid) is None


def test_demo_seed_covers_the_eight_partners_and_is_idempotent() -> None:
    created = demo_agreements_seed()
    assert created == len(DEMO_AGREEMENTS) + 8
    assert demo_agreements_seed() == 0
    countries = set(Agreement.objects.values_list("partner_country", flat=True))
    assert countries == {"PRY", "PER", "ARG", "BRA", "CHL", "ESP", "PAN", "VEN"}
    assert PartnerNode.objects.count() == 8
