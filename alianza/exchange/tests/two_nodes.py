"""Two real Alianza nodes on loopback for the end-to-end tests: Bolivia and Peru, each with its
own SQLite database, keys directory and `alianza serve`, registered with each other from their
published JWK Sets, under agreement BOL-PER-2006 (Peru's copy covers trafficking only).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings

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
"""

TOKEN = """
from alianza.accounts.services import api_token_create
u = User.objects.get(username="revisora")
u.is_verified = lambda: True
print(api_token_create(acting_user=u, name="two-node test").secret)
"""


def _setup(node: Node, partner: Node, scope: str, extra: str = "") -> str:
    """Migrate, create the liaisons, the agreement and the keys; returns a reviewer's API token."""
    code = SETUP.format(country=node.country, partner=partner.country, scope=scope, directory=node.directory)
    out = node.shell(code + extra + TOKEN)
    return out.strip().splitlines()[-1]


def sql(node: Node, query: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(node.directory / "db.sqlite3") as db:
        return db.execute(query, params).fetchall()


def wait_until_up(node: Node) -> None:
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


@contextmanager
def running_nodes(bolivia_dir: Path, peru_dir: Path, extra_setup: str = "") -> Iterator[tuple[Node, Node]]:
    """Both nodes, set up, registered with each other and serving; stopped on exit.

    `extra_setup` is Python run in each node's shell after the standard setup.
    """
    bolivia = Node("BOL", bolivia_dir)
    peru = Node("PER", peru_dir)
    with ThreadPoolExecutor(2) as pool:
        # Peru's copy of the agreement covers trafficking only, so a smuggling case is refused there.
        tokens = list(pool.map(
            lambda args: _setup(*args, extra=extra_setup), [(bolivia, peru, "both"), (peru, bolivia, "trafficking")]
        ))
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
            wait_until_up(node)
        yield bolivia, peru
    finally:
        for node in (bolivia, peru):
            if node.server is not None:
                node.server.terminate()
                node.server.wait(timeout=10)
