"""Outbound, inbound, import, onward-transfer, requests and retention, on one database.

The test plays the partner: it holds the partner's private keys, seals packages to this node and
answers this node's deliveries with receipts signed by the partner.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone

from alianza.audit.models import AuditEntry
from alianza.cases.tests.factories import PersonFactory
from alianza.core.errors import Conflict, ValidationFailed
from alianza.exchange import packages as p
from alianza.exchange import services
from alianza.exchange.models import (
    AssistanceRequest,
    InboundPackage,
    InboundStatus,
    OutboundStatus,
    ReceivedRecord,
    RequestStatus,
)
from alianza.exchange.tests.conftest import Partner, make_partner
from alianza.exchange.tests.fixtures import new_keys, public, typical_snapshot

pytestmark = pytest.mark.django_db


def _from_partner(partner: Partner, *, signing_key: Any = None, sending_node: str = "", **envelope: Any) -> str:
    """A package from `partner` to this node, built by the same library the partner runs."""
    crime_type = envelope.pop("crime_type", "trafficking")
    agreement = envelope.pop("agreement", partner.agreement.reference)
    categories = frozenset(envelope.pop("categories", partner.agreement.category_set))
    snapshot = replace(typical_snapshot(reference="PER-2026-77", consent=frozenset({"BOL"})), crime_type=crime_type)
    policy = p.Policy(partner_country="BOL", agreement=agreement, categories=categories)
    base = p.Envelope(
        sending_node=sending_node or partner.node.node_id, sending_country=partner.node.country,
        receiving_node="alianza-bol", purpose="investigation", handling_code=partner.agreement.handling_code,
        source_grading="B", information_grading="2",
    )
    document = p.package_document(
        p.build_content(snapshot, policy), crime_type=crime_type, policy=policy, envelope=replace(base, **envelope)
    )
    return p.seal(
        document, signing_key=signing_key or partner.signing, recipient_key=public(_our_encryption()),
        sending_node=sending_node or partner.node.node_id,
    )


def _our_encryption() -> Any:
    from alianza.agreements.keys import node_keys

    return node_keys().encryption


def _refused(token: str) -> str:
    result = services.package_receive(token=token)
    assert result.inbound is None
    assert InboundPackage.objects.count() == 0 or result.body["error"]["details"]["reason"] == "replay"
    return result.body["error"]["details"]["reason"]


def test_receive_keeps_the_package_for_review_and_signs_a_receipt(peru: Partner, node: Any) -> None:
    token = _from_partner(peru)
    result = services.package_receive(token=token)
    assert result.http_status == 202
    inbound = result.inbound
    assert inbound is not None and inbound.status == InboundStatus.PENDING
    assert inbound.handling_code == "H2" and inbound.agreement == peru.agreement
    assert ReceivedRecord.objects.count() == 0  # nothing imported before review
    receipt = p.verify_receipt(result.body["receipt"], keys=[public(node.signing)])
    assert receipt["status"] == "accepted" and receipt["package_digest"] == p.package_digest(token)
    assert AuditEntry.objects.filter(action="exchange.package.receive").count() == 1


def test_each_bad_package_is_refused_with_its_reason(peru: Partner, node: Any, settings: Any) -> None:
    token = _from_partner(peru)
    parts = token.split(".")
    parts[3] = parts[3][:-4] + ("AAAA" if parts[3][-4:] != "AAAA" else "BBBB")
    assert _refused(".".join(parts)) == "decryption_failed"
    impostor, _ = new_keys()
    assert _refused(_from_partner(peru, signing_key=impostor)) == "signature_invalid"
    assert _refused(_from_partner(peru, sending_node="alianza-xxx")) == "unknown_partner"
    assert _refused(_from_partner(peru, crime_type="smuggling", agreement="BOL-PER-NONE")) == "agreement_unknown"
    assert _refused(_from_partner(peru, valid_for=timedelta(seconds=-1))) == "expired"
    settings.ALIANZA_EXCHANGE_MAX_PACKAGE_BYTES = 1000
    assert _refused(_from_partner(peru)) == "oversize"
    assert InboundPackage.objects.count() == 0
    refusals = AuditEntry.objects.filter(action__startswith="exchange.package.refuse.").count()
    assert refusals == 6


def test_expired_agreement_or_uncovered_crime_is_refused(node: Any) -> None:
    lapsed = make_partner(node_id="alianza-pan", country="PAN", reference="BOL-PAN-2019", expires_on=date(2024, 5, 7))
    assert _refused(_from_partner(lapsed)) == "agreement_not_in_force"
    narrow = make_partner(node_id="alianza-pry", country="PRY", reference="BOL-PRY-2016", scope="trafficking")
    assert _refused(_from_partner(narrow, crime_type="smuggling")) == "crime_type_not_covered"


def test_categories_beyond_the_agreement_are_refused(node: Any) -> None:
    chile = make_partner(node_id="alianza-chl", country="CHL", reference="BOL-CHL-2018",
                         categories=("statistics", "case_summary"))
    token = _from_partner(chile, categories={"statistics", "case_summary", "suspect_identity"})
    assert _refused(token) == "category_not_allowed"


def test_replay_is_refused(peru: Partner) -> None:
    token = _from_partner(peru)
    assert services.package_receive(token=token).http_status == 202
    again = services.package_receive(token=token)
    assert again.http_status == 409 and again.body["error"]["details"]["reason"] == "replay"
    assert InboundPackage.objects.count() == 1


def test_import_is_all_or_nothing_and_keeps_provenance(peru: Partner, liaison: Any, monkeypatch: Any) -> None:
    inbound = services.package_receive(token=_from_partner(peru)).inbound
    assert inbound is not None
    with pytest.raises(ValidationFailed):
        services.inbound_import(acting_user=liaison, inbound=inbound, links={"not-in-package": "person:1"})
    calls = {"n": 0}
    original = services.audit_record

    def failing_audit(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(**kwargs)

    monkeypatch.setattr(services, "audit_record", failing_audit)
    with pytest.raises(RuntimeError):
        services.inbound_import(acting_user=liaison, inbound=inbound)
    assert ReceivedRecord.objects.count() == 0
    monkeypatch.setattr(services, "audit_record", original)
    local = PersonFactory(owner_institution=liaison.institution)
    elsewhere = PersonFactory()
    for bad in ("41", "case:1", f"person:{elsewhere.pk}", "person:999999"):
        with pytest.raises(ValidationFailed):
            services.inbound_import(acting_user=liaison, inbound=inbound, links={"V-1": bad})
    records = services.inbound_import(acting_user=liaison, inbound=inbound, links={"V-1": f"person:{local.pk}"})
    assert {r.kind for r in records} == {"statistics", "case", "route", "suspect", "victim"}
    victim = ReceivedRecord.objects.get(kind="victim", record_id="V-1")
    assert (victim.partner_country, victim.agreement_reference, victim.handling_code) == ("PER", "BOL-PER-2006", "H2")
    assert victim.linked_to == f"person:{local.pk}"
    with pytest.raises(Conflict):
        services.inbound_import(acting_user=liaison, inbound=inbound)


def test_record_received_from_peru_under_h2_cannot_go_to_argentina(
    peru: Partner, argentina: Partner, liaison: Any
) -> None:
    inbound = services.package_receive(token=_from_partner(peru)).inbound
    assert inbound is not None
    services.inbound_import(acting_user=liaison, inbound=inbound)
    received = services.received_person(ReceivedRecord.objects.get(kind="victim", record_id="V-1"))
    local = typical_snapshot(consent=frozenset({"ARG", "PER"}))
    snapshot = replace(local, victims=(*local.victims, received))
    to_argentina = services.package_prepare(
        acting_user=liaison, snapshot=snapshot, partner=argentina.node, purpose="investigation",
        source_grading="B", information_grading="2", legal_basis="judicial_order",
    )
    text = json.dumps(to_argentina.document, ensure_ascii=False)
    # Our own V-1 goes; Peru's record (also numbered V-1 by Peru) is held back.
    assert [v["record_id"] for v in to_argentina.document["content"]["victims"]].count("V-1") == 1
    assert p.Withheld("victims", "V-1", "onward_transfer_forbidden") in to_argentina.withheld
    assert text.count("Ana Lucía") == 1  # only our own record, not Peru's copy
    back_to_peru = services.package_prepare(
        acting_user=liaison, snapshot=snapshot, partner=peru.node, purpose="investigation",
        source_grading="B", information_grading="2", legal_basis="judicial_order",
    )
    assert len(back_to_peru.document["content"]["victims"]) == 3


class _Response:
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status_code, self._body = status, body

    def json(self) -> dict[str, Any]:
        return self._body


def _send(liaison: Any, partner: Partner, *, post: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any) -> Any:
    monkeypatch.setattr(services.requests, "post", post)
    prepared = services.package_prepare(
        acting_user=liaison, snapshot=typical_snapshot(), partner=partner.node, purpose="investigation",
        source_grading="A", information_grading="1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        package = services.package_send(acting_user=liaison, prepared=prepared)
    package.refresh_from_db()
    return package


def test_send_delivers_and_stores_the_partners_signed_receipt(
    peru: Partner, liaison: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    seen: dict[str, Any] = {}

    def post(url: str, data: bytes, headers: dict[str, str], timeout: Any) -> _Response:
        seen["url"], seen["type"] = url, headers["Content-Type"]
        opened = p.open_package(
            data.decode(), receiving_node="alianza-per", decryption_key=lambda kid: peru.encryption,
            sender_keys=lambda node: [public(_our_signing())],
        )
        seen["document"] = opened.document
        receipt = p.sign_receipt(
            package_id=opened.package.metadata.package_id, digest=opened.digest, status="accepted",
            receiving_node="alianza-per", signing_key=peru.signing,
        )
        return _Response(202, {"package_id": opened.package.metadata.package_id, "status": "accepted", "receipt": receipt})

    package = _send(liaison, peru, post=post, monkeypatch=monkeypatch,
                    django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert package.status == OutboundStatus.DELIVERED and package.receipt
    assert seen["type"] == "application/jose" and seen["url"] == peru.node.inbox_url
    meta = seen["document"]["metadata"]
    assert (meta["handling_code"], meta["source_grading"], meta["information_grading"]) == ("H2", "A", "1")
    assert meta["agreement"] == "BOL-PER-2006" and meta["sending_node"] == "alianza-bol"


def _our_signing() -> Any:
    from alianza.agreements.keys import node_keys

    return node_keys().signing


def test_a_refusal_is_shown_with_the_partners_reason(
    peru: Partner, liaison: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def post(url: str, data: bytes, headers: dict[str, str], timeout: Any) -> _Response:
        receipt = p.sign_receipt(package_id="", digest=p.package_digest(data), status="rejected",
                                 receiving_node="alianza-per", signing_key=peru.signing, reason="expired")
        body = {"error": {"code": "package_rejected", "message": "The package expired.", "details": {"reason": "expired"}},
                "receipt": receipt}
        return _Response(422, body)

    package = _send(liaison, peru, post=post, monkeypatch=monkeypatch,
                    django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert package.status == OutboundStatus.REJECTED
    assert package.rejection_reason == "expired" and package.rejection_message == "The package expired."


def test_network_failures_are_retried_with_backoff_then_given_up(
    peru: Partner, liaison: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def post(*args: Any, **kwargs: Any) -> _Response:
        raise requests.ConnectionError("refused")

    package = _send(liaison, peru, post=post, monkeypatch=monkeypatch,
                    django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert package.status == OutboundStatus.QUEUED and package.attempts == 1
    first_wait = package.next_attempt_at - timezone.now()
    assert timedelta(seconds=20) < first_wait <= services.BACKOFF_BASE
    assert services.packages_deliver_due() == {}  # not due yet
    now = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        now += services.BACKOFF_MAX
        services.packages_deliver_due(now=now)
    package.refresh_from_db()
    assert package.status == OutboundStatus.FAILED and package.attempts == services.MAX_ATTEMPTS


def test_send_requires_an_agreement_covering_the_crime_and_purpose(node: Any, liaison: Any) -> None:
    narrow = make_partner(node_id="alianza-pry", country="PRY", reference="BOL-PRY-2016", scope="smuggling")
    with pytest.raises(ValidationFailed):
        services.package_prepare(acting_user=liaison, snapshot=typical_snapshot(), partner=narrow.node,
                                 purpose="investigation", source_grading="B", information_grading="2")
    wide = make_partner(node_id="alianza-bra", country="BRA", reference="BOL-BRA-2010")
    with pytest.raises(ValidationFailed):
        services.package_prepare(acting_user=liaison, snapshot=typical_snapshot(), partner=wide.node,
                                 purpose="statistics", source_grading="B", information_grading="2")
    with pytest.raises(ValidationFailed):
        services.package_prepare(acting_user=liaison, snapshot=typical_snapshot(), partner=wide.node,
                                 purpose="investigation", source_grading="B", information_grading="2",
                                 handling_code="H0")


def test_request_is_answered_by_a_package_and_reminded_once_a_day(peru: Partner, liaison: Any) -> None:
    request = services.request_create(
        acting_user=liaison, partner=peru.node, type="information", subject="Paradero de la víctima",
        deadline=timezone.localdate() + timedelta(days=2),
    )
    assert [r.reference for r in services.requests_remind()] == [request.reference]
    assert services.requests_remind() == []
    assert services.requests_remind(now=timezone.now() + timedelta(days=1)) != []
    services.package_receive(token=_from_partner(peru, in_reply_to=request.reference))
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert AssistanceRequest.objects.filter(status=RequestStatus.OPEN).count() == 0


def test_retention_purges_and_anonymises_idempotently(peru: Partner, liaison: Any) -> None:
    imported = services.package_receive(token=_from_partner(peru)).inbound
    pending = services.package_receive(token=_from_partner(peru)).inbound
    assert imported is not None and pending is not None
    services.inbound_import(acting_user=liaison, inbound=imported)
    assert services.retention_run() == services.RetentionResult(0, 0)
    later = timezone.now() + timedelta(days=366)
    result = services.retention_run(now=later)
    assert result.packages_purged == 2 and result.records_anonymised == ReceivedRecord.objects.count()
    victim = ReceivedRecord.objects.filter(kind="victim").first()
    assert victim is not None and "given_names" not in victim.data and victim.data.get("birth_year")
    pending.refresh_from_db()
    assert pending.document is None and pending.status == InboundStatus.PURGED
    entries = AuditEntry.objects.filter(action__startswith="retention.").count()
    assert services.retention_run(now=later) == services.RetentionResult(0, 0)
    assert AuditEntry.objects.filter(action__startswith="retention.").count() == entries
    # The purged package's id still guards against replay.
    assert InboundPackage.objects.filter(package_id=pending.package_id).exists()


def test_review_decision_goes_back_as_a_signed_receipt(
    peru: Partner, node: Any, liaison: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[tuple[str, bytes]] = []
    monkeypatch.setattr(services.requests, "post", lambda url, data, headers, timeout: sent.append((url, data)) or _Response(200, {}))
    inbound = services.package_receive(token=_from_partner(peru)).inbound
    assert inbound is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.inbound_import(acting_user=liaison, inbound=inbound)
    [(url, data)] = sent
    assert url == "https://partner.invalid/api/v1/exchange/receipts"
    body = p.verify_receipt(data.decode(), keys=[public(node.signing)])
    assert (body["status"], body["package_id"], body["package_digest"]) == ("imported", inbound.package_id, inbound.digest)


def test_partners_decision_on_our_package_is_recorded(peru: Partner, liaison: Any) -> None:
    prepared = services.package_prepare(
        acting_user=liaison, snapshot=typical_snapshot(), partner=peru.node, purpose="investigation",
        source_grading="B", information_grading="2",
    )
    package = services.package_send(acting_user=liaison, prepared=prepared, deliver=False)

    def receipt(signing_key: Any, **overrides: Any) -> str:
        fields = {"package_id": package.package_id, "digest": package.digest, "status": "imported",
                  "receiving_node": "alianza-per", "signing_key": signing_key, **overrides}
        return p.sign_receipt(**fields)

    impostor, _ = new_keys()
    for forged in (receipt(impostor), receipt(peru.signing, digest="0" * 64), receipt(peru.signing, receiving_node="alianza-arg")):
        with pytest.raises(p.PackageRejected):
            services.outcome_receipt_receive(token=forged)
    recorded = services.outcome_receipt_receive(token=receipt(peru.signing))
    assert recorded.partner_outcome == "imported" and recorded.outcome_receipt
    assert services.outcome_receipt_receive(token=receipt(peru.signing, status="dismissed")).partner_outcome == "imported"
    assert AuditEntry.objects.filter(action="exchange.package.outcome").count() == 1
