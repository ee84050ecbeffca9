"""Two real nodes on loopback, Bolivia and Peru, each with its own database, keys and server.

Bolivia sends a case to Peru over HTTP; Peru checks it, keeps it for review and answers with a
signed receipt; Peru's reviewer imports it through the API. Then every kind of bad package is
sent and each is refused with its reason, which Bolivia's liaison sees, and Peru imports nothing.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.conf import settings

pytestmark = pytest.mark.slow

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Node:
    country: str
    directory: Path
    port: int = field(default_factory=_free_port)
    server: subprocess.Popen[bytes] | None = None
    token: str = ""

    @property
    def node_id(self) -> str:
        return f"alianza-{self.country.lower()}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "ALIANZA_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "alianza.config.django.base",
            "DATABASE_URL": f"sqlite:///{self.directory / 'db.sqlite3'}",
            "ALIANZA_NODE_COUNTRY": self.country,
            "ALIANZA_NODE_ID": self.node_id,
            "ALIANZA_KEYS_DIR": str(self.directory / "keys"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": f"two-node-test-{self.country}-not-secret-0123456789abcdef",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        })
        return env

    def run(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, input=stdin, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, f"{self.country} {args[:3]}: {result.stderr[-3000:]}"
        return result.stdout

    def alianza(self, *args: str, stdin: str | None = None) -> str:
        return self.run("-m", "alianza.cli", *args, stdin=stdin)

    def shell(self, code: str) -> str:
        return self.alianza("shell", "--no-imports", "-c", code)


SETUP = """
from datetime import date
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("keys", "init", stdout=open("{directory}/jwks.json", "w"))
from alianza.accounts.models import Institution, User
from alianza.agreements import services
inst = Institution.objects.create(name="Enlace internacional {country}", short_name="EI", type="CentralGovernmentOrganisation", country="{country}")
for username in ("enlace", "revisora"):
    u = User(username=username, role="partner_liaison", institution=inst); u.set_password("x-two-nodes-x"); u.save()
services.agreement_create(acting_user=None, reference="BOL-PER-2006", partner_country="{partner}",
    title="Acuerdo bilateral Bolivia-Perú (prueba)", type="bilateral_agreement", signed_on=date(2006, 9, 22),
    in_force_from=date(2007, 3, 1), scope="{scope}",
    categories=["statistics", "case_summary", "route", "suspect_identity", "victim_identity"],
    victim_legal_bases=["judicial_order"], purposes=["investigation", "victim_protection"],
    handling_code="H2", retention_days=1825)
from alianza.accounts.services import api_token_create
u.is_verified = lambda: True
print(api_token_create(acting_user=u, name="two-node test").secret)
"""


def _prepare(node: Node, partner: Node, scope: str) -> str:
    """Migrate, create the liaisons, the agreement and the keys; returns a reviewer's API token."""
    out = node.shell(SETUP.format(country=node.country, partner=partner.country, scope=scope, directory=node.directory))
    return out.strip().splitlines()[-1]


def _sql(node: Node, query: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(node.directory / "db.sqlite3") as db:
        return db.execute(query, params).fetchall()


def _wait_until_up(node: Node) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{node.url}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        assert node.server is not None and node.server.poll() is None, "the server stopped"
        time.sleep(0.1)
    raise AssertionError(f"{node.country} did not start")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    bolivia = Node("BOL", tmp_path_factory.mktemp("bol"))
    peru = Node("PER", tmp_path_factory.mktemp("per"))
    with ThreadPoolExecutor(2) as pool:
        # Peru's copy of the agreement covers trafficking only, so a smuggling case is refused there.
        tokens = list(pool.map(lambda args: _prepare(*args), [(bolivia, peru, "both"), (peru, bolivia, "trafficking")]))
        peru.token = tokens[1]
        # Each registers the other from the public JWK Set it published.
        list(pool.map(lambda pair: pair[0].alianza(
            "partners", "register", "--node-id", pair[1].node_id, "--country", pair[1].country,
            "--inbox-url", f"{pair[1].url}/api/v1/exchange/inbox", "--jwks", str(pair[1].directory / "jwks.json"),
        ), [(bolivia, peru), (peru, bolivia)]))
    try:
        for node in (bolivia, peru):
            node.server = subprocess.Popen(
                [sys.executable, "-m", "alianza.cli", "serve", "--port", str(node.port), "--threads", "4"],
                cwd=ROOT, env=node.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        for node in (bolivia, peru):
            _wait_until_up(node)
        yield bolivia, peru
    finally:
        for node in (bolivia, peru):
            if node.server is not None:
                node.server.terminate()
                node.server.wait(timeout=10)


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
    _sql(peru, "UPDATE agreements_agreement SET expires_on = '2020-01-01' WHERE reference = 'BOL-PER-2006'")
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
    assert _sql(bolivia, "SELECT rejection_reason FROM exchange_outboundpackage WHERE package_id = ?",
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
    records = _sql(peru, "SELECT package_id, partner_country, handling_code FROM exchange_receivedrecord")
    assert set(records) == {(sent["package_id"], "BOL", "H2")} and len(records) == imported.json()["imported"]
