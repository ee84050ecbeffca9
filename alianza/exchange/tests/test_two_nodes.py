"""Two real nodes on loopback, Bolivia and Peru, each with its own database, keys and server.

Bolivia sends a case to Peru over HTTP; Peru checks it, keeps it for review and answers with a
signed receipt; Peru's reviewer imports it through the API. Then every kind of bad package is
sent and each is refused with its reason, which Bolivia's liaison sees, and Peru imports nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from alianza.exchange.tests.two_nodes import Node, running_nodes, sql

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    with running_nodes(tmp_path_factory.mktemp("bol"), tmp_path_factory.mktemp("per")) as pair:
        yield pair


def _send(bolivia: Node, *scenarios: str) -> dict[str, dict[str, object]]:
    out = bolivia.run("-m", "alianza.exchange.tests.two_nodes_sender", *scenarios)
    return {line["scenario"]: line for line in map(json.loads, out.splitlines())}


def test_two_nodes_exchange_a_case_and_refuse_every_bad_package(nodes: tuple[Node, Node]) -> None:
    bolivia, peru = nodes
    # Partners publish their public keys over HTTP too.
    assert {k["crv"] for k in requests.get(f"{peru.url}/api/v1/exchange/jwks", timeout=5).json()["keys"]} == {
        "Ed25519", "X25519"
    }

    # Send, with its receipt; then every kind of bad package, each refused with its reason.
    results = _send(
        bolivia, "happy", "replay", "tampered", "wrong_key", "unknown_partner", "crime_not_covered",
        "expired_package", "schema_violation", "oversize",
    )
    sql(peru, "UPDATE agreements_agreement SET expires_on = '2020-01-01' WHERE reference = 'BOL-PER-2006'")
    results.update(_send(bolivia, "agreement_expired"))
    sent = results.pop("happy")
    assert sent["status"] == "delivered" and sent["receipt"], sent
    expected = {
        "replay": "replay",
        "tampered": "decryption_failed",
        "wrong_key": "signature_invalid",
        "unknown_partner": "unknown_partner",
        "crime_not_covered": "crime_type_not_covered",
        "agreement_expired": "agreement_not_in_force",
        "expired_package": "expired",
        "schema_violation": "schema_invalid",
        "oversize": "oversize",
    }
    seen = {name: (r["status"], r["reason"]) for name, r in results.items()}
    assert seen == {name: ("rejected", reason) for name, reason in expected.items()}, results
    assert all(r["message"] and r["receipt"] for r in results.values())  # a sentence, and Peru signed it
    assert results["oversize"]["size"] > 200_000  # type: ignore[operator]
    # What the liaison sees in Bolivia's outbox is what Peru said.
    assert sql(bolivia, "SELECT rejection_reason FROM exchange_outboundpackage WHERE package_id = ?",
                results["replay"]["package_id"]) == [("replay",)]

    # Review and import at Peru, through Peru's API: only the good package is there.
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {peru.token}"
    inbox = api.get(f"{peru.url}/api/v1/exchange/inbox", timeout=5).json()
    assert inbox["count"] == 1
    item = inbox["items"][0]
    assert (item["package_id"], item["status"], item["handling_code"], item["agreement"]) == (
        sent["package_id"], "pending", "H2", "BOL-PER-2006"
    )
    imported = api.post(f"{peru.url}/api/v1/exchange/inbox/{item['id']}/import", json={"links": {}}, timeout=10)
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] > 0
    records = sql(peru, "SELECT package_id, partner_country, handling_code FROM exchange_receivedrecord")
    assert set(records) == {(sent["package_id"], "BOL", "H2")} and len(records) == imported.json()["imported"]
    # Peru's reviewer's decision comes back to Bolivia as a second signed receipt.
    outcome = sql(bolivia, "SELECT partner_outcome, length(outcome_receipt) > 0 FROM exchange_outboundpackage "
                           "WHERE package_id = ?", sent["package_id"])
    assert outcome == [("imported", 1)]
