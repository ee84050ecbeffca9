"""In a real browser, across two real nodes: Bolivia's liaison previews a case's package and
sends it to Peru, and Peru's reviewer imports it from the inbox.

Uses Debian's Chromium like the other browser tests (tests/browser), and the two-node setup of
test_two_nodes. Partner liaisons pass their second factor (TOTP) as a real user would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import totp

from alianza.exchange.tests.two_nodes import Node, running_nodes, sql
from tests.browser.conftest import _unavailable, browser  # noqa: F401  (the fixture)

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extra installs it
    _unavailable("playwright is needed (pip install -e '.[dev]').")

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "x-two-nodes-x"

# Run in each node's shell after the standard setup: second factors for both users, and on
# Bolivia's node a case owned by the liaison's institution, with a victim, a suspect and a route.
EXTRA_SETUP = """
import json
from pathlib import Path
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
out = {}
for name in ("enlace", "revisora"):
    out[name] = TOTPDevice.objects.create(user=User.objects.get(username=name), name="t", confirmed=True).key
if settings.ALIANZA_NODE_COUNTRY == "BOL":
    from alianza.cases.tests.factories import CaseFactory, ParticipationFactory, PersonFactory, RouteEventFactory
    case = CaseFactory(owner_institution=inst, reference="BOL-2026-000777")
    ParticipationFactory(case=case, person=PersonFactory(owner_institution=inst, given_names="Teodora",
                         first_surname="Sintética", birth_date="2001-04-09"))
    ParticipationFactory(case=case, role="suspect", person=PersonFactory(owner_institution=inst,
                         given_names="Anselmo", first_surname="Ficticio", sex="M"))
    RouteEventFactory(case=case, position=1, event_type="Recruitment", country="BOL", city="El Alto")
    RouteEventFactory(case=case, position=2, event_type="Exploitation", country="PER", city="Juliaca")
    out["case_id"] = case.pk
(Path(settings.ALIANZA_KEYS_DIR).parent / "browser.json").write_text(json.dumps(out))
"""


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    with running_nodes(tmp_path_factory.mktemp("bol"), tmp_path_factory.mktemp("per"), EXTRA_SETUP) as pair:
        yield pair


def _facts(node: Node) -> dict[str, Any]:
    return dict(json.loads((Path(node.directory) / "browser.json").read_text()))


def _sign_in(browser: Any, node: Node, username: str) -> Any:  # noqa: F811
    context = browser.new_context(base_url=node.url, locale="es-BO")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:mfa_verify")) + "$"))
    key = _facts(node)[username]
    page.locator("#id_token").fill(f"{totp(bytes.fromhex(key)):06d}")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("core:home")) + "$"))
    return page


def test_liaison_previews_and_sends_and_the_partner_imports(browser: Any, nodes: tuple[Node, Node]) -> None:  # noqa: F811
    bolivia, peru = nodes
    liaison = _sign_in(browser, bolivia, "enlace")
    liaison.goto(reverse("exchange:package_new", args=[_facts(bolivia)["case_id"]]))
    liaison.locator("#id_partner").select_option(label="alianza-per (alianza-per)")
    liaison.locator("#id_purpose").select_option("investigation")
    liaison.locator("#id_legal_basis").select_option("judicial_order")
    liaison.locator("button[name=action][value=preview]").click()
    preview = liaison.get_by_test_id("package-preview")
    expect(preview).to_contain_text("Teodora")  # victim identity, under the chosen legal basis
    expect(preview).to_contain_text("Anselmo")
    expect(preview).to_contain_text('"handling_code": "H2"')
    expect(preview).not_to_contain_text("Relato")  # the narrative never leaves
    liaison.locator("button[name=action][value=send]").click()
    expect(liaison).to_have_url(re.compile(r"/exchange/sent/\d+/$"))
    assert sql(bolivia, "SELECT status FROM exchange_outboundpackage") == [("delivered",)]

    reviewer = _sign_in(browser, peru, "revisora")
    reviewer.goto(reverse("exchange:inbox"))
    reviewer.locator("table.data tbody a").first.click()
    expect(reviewer.locator("main")).to_contain_text("Teodora")
    reviewer.locator("button[name=action][value=import]").click()
    expect(reviewer.get_by_test_id("inbound-status")).to_be_visible()
    imported = sql(peru, "SELECT kind, handling_code, partner_country FROM exchange_receivedrecord WHERE kind = 'victim'")
    assert imported == [("victim", "H2", "BOL")]
