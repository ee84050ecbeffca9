"""This node (Bolivia) with its keys, and a partner (Peru) whose keys the test holds."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from alianza.accounts.roles import Role
from alianza.agreements import keys
from alianza.agreements import services as agreement_services
from alianza.agreements.models import Agreement, PartnerNode
from alianza.exchange.tests.fixtures import new_keys


@dataclass
class Partner:
    node: PartnerNode
    agreement: Agreement
    signing: OKPKey
    encryption: OKPKey


@pytest.fixture(autouse=True)
def _eddsa_on_purpose() -> None:
    """pytest resets warning filters per test; packages.py chooses "EdDSA" on purpose."""
    warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)


@pytest.fixture
def node(tmp_path: Path, settings: Any) -> Iterator[keys.NodeKeys]:
    settings.ALIANZA_KEYS_DIR = str(tmp_path / "keys")
    settings.ALIANZA_NODE_ID = "alianza-bol"
    settings.ALIANZA_NODE_COUNTRY = "BOL"
    keys.forget_cached_keys()
    yield keys.node_keys_init()
    keys.forget_cached_keys()


def make_partner(
    *, node_id: str, country: str, reference: str, handling_code: str = "H2", scope: str = "both",
    categories: tuple[str, ...] = ("statistics", "case_summary", "route", "suspect_identity", "victim_identity"),
    expires_on: date | None = None, inbox_url: str = "https://partner.invalid/api/v1/exchange/inbox",
) -> Partner:
    signing, encryption = new_keys()
    node = agreement_services.partner_node_create(
        acting_user=None, node_id=node_id, country=country, name=node_id, inbox_url=inbox_url
    )
    agreement_services.partner_key_add(acting_user=None, node=node, use="sig", jwk=signing.as_dict(private=False))
    agreement_services.partner_key_add(acting_user=None, node=node, use="enc", jwk=encryption.as_dict(private=False))
    agreement = agreement_services.agreement_create(
        acting_user=None, reference=reference, partner_country=country, title=f"Acuerdo {reference}",
        type="bilateral_agreement", signed_on=date(2010, 1, 1), in_force_from=date(2010, 1, 1),
        expires_on=expires_on, scope=scope, categories=list(categories), victim_legal_bases=["judicial_order"],
        purposes=["investigation", "victim_protection"], handling_code=handling_code, retention_days=365,
    )
    return Partner(node=node, agreement=agreement, signing=signing, encryption=encryption)


@pytest.fixture
def peru(db: Any, node: keys.NodeKeys) -> Partner:
    return make_partner(node_id="alianza-per", country="PER", reference="BOL-PER-2006")


@pytest.fixture
def argentina(db: Any, node: keys.NodeKeys) -> Partner:
    return make_partner(node_id="alianza-arg", country="ARG", reference="BOL-ARG-2013", handling_code="H1")


@pytest.fixture
def liaison(make_user: Any) -> Any:
    user = make_user(Role.PARTNER_LIAISON)
    user.is_verified = lambda: True
    return user
