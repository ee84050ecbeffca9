from __future__ import annotations

from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.audit.models import AuditEntry
from alianza.cases.tests.factories import PersonFactory
from alianza.exchange import services, views
from alianza.exchange.models import InboundPackage, InboundStatus, OutboundPackage, ReceivedRecord
from alianza.exchange.tests.conftest import Partner
from alianza.exchange.tests.fixtures import typical_snapshot
from alianza.exchange.tests.test_services import _from_partner
from alianza.people.models import IdentityDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_case(monkeypatch: Any) -> None:
    """Case 42 of the registry, as the adapter would return it."""
    monkeypatch.setattr(views, "case_snapshot", lambda acting_user, case_id: typical_snapshot(consent=frozenset()))


def test_liaison_previews_exactly_what_leaves_then_exports(
    peru: Partner, a_case: None, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(Role.PARTNER_LIAISON)
    form = {"partner": peru.node.pk, "purpose": "investigation", "source_grading": "B", "information_grading": "2"}
    page = client.post("/exchange/send/42/", {**form, "action": "preview"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="package-preview"' in html
    assert "Rolando" in html and "Ana Lucía" not in html  # victims held back: no consent, no legal basis
    assert OutboundPackage.objects.count() == 0
    digest = page.context["form"].data["preview_digest"]
    stale = client.post("/exchange/send/42/", {**form, "action": "export", "preview_digest": "0" * 64})
    assert stale.status_code == 200 and OutboundPackage.objects.count() == 0
    response = client.post("/exchange/send/42/", {**form, "action": "export", "preview_digest": digest})
    assert response.status_code == 302
    package = OutboundPackage.objects.get()
    assert package.withheld and {w["reason"] for w in package.withheld} == {"no_consent"}
    download = client.get(f"/exchange/sent/{package.pk}/download/")
    assert download.content.decode() == package.token and download["Content-Type"] == "application/jose"


def test_reviewer_imports_from_the_inbox_page(peru: Partner, client_for: Any, institution: Any) -> None:
    inbound = services.package_receive(token=_from_partner(peru)).inbound
    assert inbound is not None
    # A local person with the same identity card as Peru's V-1 (CI 9999003) is suggested.
    local = PersonFactory(owner_institution=institution, given_names="Ana Lucía", first_surname="Local")
    IdentityDocument.objects.create(person=local, document_type="CI", issuing_country="BOL",
                                    number_as_entered="9999003 LP", number_normalized="9999003")
    client = client_for(Role.PARTNER_LIAISON)
    page = client.get(f"/exchange/inbox/{inbound.pk}/")
    assert "PER-2026-77" in page.content.decode()
    assert page.context["suggestions"] == {"V-1": [(f"person:{local.pk}", local.full_name)]}
    assert AuditEntry.objects.filter(action="victim_identity.view", object_id=str(inbound.pk)).exists()
    client.post(f"/exchange/inbox/{inbound.pk}/", {"action": "import", "link-V-1": f"person:{local.pk}"})
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.IMPORTED
    assert ReceivedRecord.objects.get(kind="victim", record_id="V-1").linked_to == f"person:{local.pk}"


def test_uploaded_file_goes_through_the_same_checks(peru: Partner, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(Role.PARTNER_LIAISON)
    token = _from_partner(peru)
    ok = client.post("/exchange/inbox/upload/", {"package": SimpleUploadedFile("p.jwe", token.encode())})
    assert ok.status_code == 302 and InboundPackage.objects.count() == 1
    client.post("/exchange/inbox/upload/", {"package": SimpleUploadedFile("p.jwe", token.encode())})
    assert InboundPackage.objects.count() == 1
