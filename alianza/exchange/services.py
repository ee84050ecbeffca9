"""Sending, delivering, receiving and importing packages; requests for assistance; retention.

The package library (`packages.py`) knows nothing of the database; this module binds it to the
agreements, this node's keys, partner keys and the inbox. Every write runs in one durable
transaction with its audit entry; delivery over HTTP happens only after the commit.
Nothing here logs package content or personal data: only package ids and reason codes.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc.jwk import OKPKey

from alianza.accounts import authz
from alianza.agreements import keys as node_keys_module
from alianza.agreements import selectors as agreement_selectors
from alianza.agreements.models import Agreement, HandlingCode, PartnerKey, PartnerNode
from alianza.audit.services import audit_record, audit_record_now
from alianza.core.errors import Conflict, PermissionDenied, ValidationFailed
from alianza.exchange import packages
from alianza.exchange.models import (
    AssistanceRequest,
    InboundPackage,
    InboundStatus,
    OutboundPackage,
    OutboundStatus,
    ReceivedRecord,
    RecordKind,
    RequestDirection,
    RequestStatus,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
HTTP_TIMEOUT = (5, 20)  # connect, read (seconds)
_CODE_ORDER = {code: i for i, code in enumerate(HandlingCode.values)}


def max_package_bytes() -> int:
    return int(getattr(settings, "ALIANZA_EXCHANGE_MAX_PACKAGE_BYTES", packages.DEFAULT_MAX_BYTES))


def _require(acting_user: Any, perm: authz.Perm) -> None:
    if not authz.has_perm(acting_user, perm):
        raise PermissionDenied(_("Your role does not allow this exchange operation."))


def _public_key(jwk: dict[str, Any]) -> OKPKey:
    return OKPKey.import_key(jwk)


def partner_signing_keys(node: PartnerNode, at: datetime | None = None) -> list[OKPKey]:
    now = at or timezone.now()
    rows = node.keys.filter(use="sig", revoked_at__isnull=True, valid_from__lte=now).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )
    return [_public_key(row.public_jwk) for row in rows]


# --- outbound ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedPackage:
    """A package built and validated but not yet sealed: exactly what the preview shows."""

    document: dict[str, Any]
    withheld: tuple[packages.Withheld, ...]
    partner: PartnerNode
    agreement: Agreement
    case_reference: str
    in_reply_to: AssistanceRequest | None = None


def package_prepare(
    *,
    acting_user: Any,
    snapshot: packages.CaseSnapshot,
    partner: PartnerNode,
    purpose: str,
    source_grading: str,
    information_grading: str,
    handling_code: str = "",
    legal_basis: str = "",
    valid_for: timedelta = timedelta(days=7),
    in_reply_to: AssistanceRequest | None = None,
) -> PreparedPackage:
    """Apply the agreement with `partner` to the case. Writes nothing; call it for the preview."""
    _require(acting_user, authz.Perm.EXCHANGE_SEND)
    if not partner.is_active:
        raise ValidationFailed(_("This partner node is not active."))
    agreement = agreement_selectors.agreement_for_exchange(country=partner.country, crime_type=snapshot.crime_type)
    if agreement is None:
        raise ValidationFailed(
            _("No agreement with %(country)s in force today covers this crime type.") % {"country": partner.country}
        )
    if purpose not in agreement.purposes:
        raise ValidationFailed(_("Agreement %(reference)s does not allow this purpose.") % {"reference": agreement.reference})
    if legal_basis and legal_basis not in agreement.victim_legal_bases:
        raise ValidationFailed(
            _("Agreement %(reference)s does not provide this legal basis.") % {"reference": agreement.reference}
        )
    handling_code = handling_code or agreement.handling_code
    if _CODE_ORDER.get(handling_code, -1) < _CODE_ORDER[agreement.handling_code]:
        raise ValidationFailed(
            _("The agreement requires handling code %(code)s or stricter.") % {"code": agreement.handling_code}
        )
    policy = packages.Policy(
        partner_country=partner.country, agreement=agreement.reference,
        categories=agreement.category_set, legal_basis=legal_basis,
    )
    built = packages.build_content(snapshot, policy)
    if not built.content:
        raise ValidationFailed(_("Nothing in this case may go to this partner under the agreement."))
    envelope = packages.Envelope(
        sending_node=settings.ALIANZA_NODE_ID, sending_country=settings.ALIANZA_NODE_COUNTRY,
        receiving_node=partner.node_id, purpose=purpose, handling_code=handling_code,
        source_grading=source_grading, information_grading=information_grading, valid_for=valid_for,
        in_reply_to=in_reply_to.reference if in_reply_to else "",
    )
    document = packages.package_document(
        built, crime_type=snapshot.crime_type, policy=policy, envelope=envelope
    )
    return PreparedPackage(
        document=document, withheld=built.withheld, partner=partner, agreement=agreement,
        case_reference=snapshot.reference, in_reply_to=in_reply_to,
    )


def package_send(*, acting_user: Any, prepared: PreparedPackage, deliver: bool = True) -> OutboundPackage:
    """Seal the prepared package and queue it for delivery (or keep it for file export)."""
    _require(acting_user, authz.Perm.EXCHANGE_SEND)
    recipient = agreement_selectors.partner_encryption_key(node=prepared.partner)
    if recipient is None:
        raise ValidationFailed(_("We have no valid encryption key for %(node)s.") % {"node": prepared.partner.node_id})
    own = node_keys_module.node_keys()
    token = packages.seal(
        prepared.document, signing_key=own.signing, recipient_key=_public_key(recipient.public_jwk),
        sending_node=settings.ALIANZA_NODE_ID,
    )
    if len(token) > max_package_bytes():
        raise ValidationFailed(
            _("The package would be %(size)d bytes; partners accept at most %(limit)d. Send fewer records.")
            % {"size": len(token), "limit": max_package_bytes()}
        )
    meta = prepared.document["metadata"]
    with transaction.atomic(durable=True):
        package = OutboundPackage.objects.create(
            package_id=meta["package_id"], partner=prepared.partner, agreement=prepared.agreement,
            case_reference=prepared.case_reference, crime_type=meta["crime_type"], purpose=meta["purpose"],
            handling_code=meta["handling_code"], source_grading=meta["source_grading"],
            information_grading=meta["information_grading"], categories=meta["categories"],
            withheld=[{"section": w.section, "record_id": w.record_id, "reason": w.reason} for w in prepared.withheld],
            legal_basis=meta["legal_basis"], in_reply_to=prepared.in_reply_to, token=token,
            digest=packages.package_digest(token), size=len(token), created_by=acting_user,
            expires_at=datetime.fromisoformat(meta["expires_at"]),
            status=OutboundStatus.QUEUED if deliver else OutboundStatus.EXPORTED,
            next_attempt_at=timezone.now() if deliver else None,
        )
        audit_record(
            actor=acting_user, action="exchange.package.send" if deliver else "exchange.package.export",
            obj=package, changed_fields=["package_id", "partner", "agreement", "categories", "handling_code"],
        )
        if prepared.in_reply_to is not None:
            _request_answered(request=prepared.in_reply_to, actor=acting_user)
        if deliver:
            package_pk = package.pk
            transaction.on_commit(lambda: package_deliver(package=OutboundPackage.objects.get(pk=package_pk)))
    return package


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _finish_delivery(package: OutboundPackage, *, action: str, fields: list[str]) -> None:
    with transaction.atomic(durable=True):
        package.save()
        audit_record(actor=None, action=action, obj=package, changed_fields=fields)


def package_deliver(*, package: OutboundPackage, now: datetime | None = None) -> OutboundPackage:
    """One delivery attempt by HTTPS POST to the partner's inbox; schedules a retry on failure."""
    now = now or timezone.now()
    if package.status != OutboundStatus.QUEUED:
        return package
    package.attempts += 1
    if not package.partner.inbox_url:
        package.status, package.last_error = OutboundStatus.FAILED, "no inbox URL for this partner"
        _finish_delivery(package, action="exchange.package.failed", fields=["status", "last_error"])
        return package
    if package.expires_at <= now:
        package.status, package.last_error = OutboundStatus.FAILED, "expired before it could be delivered"
        _finish_delivery(package, action="exchange.package.failed", fields=["status", "last_error"])
        return package
    try:
        response = requests.post(
            package.partner.inbox_url, data=package.token.encode(),
            headers={"Content-Type": "application/jose", "Accept": "application/json"}, timeout=HTTP_TIMEOUT,
        )
    except requests.RequestException as exc:
        return _retry_later(package, now=now, error=type(exc).__name__)
    try:
        parsed = response.json()
    except ValueError:
        parsed = None
    body: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    if response.status_code in (200, 201, 202):
        try:
            receipt = packages.verify_receipt(
                str(body.get("receipt", "")), keys=partner_signing_keys(package.partner, now)
            )
        except packages.PackageRejected as exc:
            return _retry_later(package, now=now, error=f"receipt: {exc.reason}")
        if receipt.get("package_digest") != package.digest or receipt.get("status") != "accepted":
            return _retry_later(package, now=now, error="receipt does not match the package")
        package.status, package.delivered_at = OutboundStatus.DELIVERED, now
        package.receipt, package.next_attempt_at, package.last_error = body["receipt"], None, ""
        logger.info("package delivered", extra={"package_id": package.package_id})
        _finish_delivery(package, action="exchange.package.delivered", fields=["status", "receipt", "delivered_at"])
        return package
    if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
        raw_error = body.get("error")
        error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
        raw_details = error.get("details")
        details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
        package.status, package.next_attempt_at = OutboundStatus.REJECTED, None
        package.rejection_reason = str(details.get("reason") or error.get("code") or f"http_{response.status_code}")[:40]
        package.rejection_message = str(error.get("message") or "")[:500]
        signed = str(body.get("receipt", ""))
        if signed:
            try:
                packages.verify_receipt(signed, keys=partner_signing_keys(package.partner, now))
                package.receipt = signed
            except packages.PackageRejected:
                package.rejection_message = (package.rejection_message + " " + _("(unsigned)"))[:500]
        logger.info("package rejected", extra={"package_id": package.package_id, "reason": package.rejection_reason})
        _finish_delivery(
            package, action="exchange.package.rejected",
            fields=["status", "rejection_reason", "rejection_message", "receipt"],
        )
        return package
    return _retry_later(package, now=now, error=f"HTTP {response.status_code}")


def _retry_later(package: OutboundPackage, *, now: datetime, error: str) -> OutboundPackage:
    package.last_error = error[:300]
    if package.attempts >= MAX_ATTEMPTS:
        package.status, package.next_attempt_at = OutboundStatus.FAILED, None
        action = "exchange.package.failed"
    else:
        package.next_attempt_at = now + _backoff(package.attempts)
        action = "exchange.package.retry"
    logger.warning("package delivery failed", extra={"package_id": package.package_id, "error": package.last_error})
    _finish_delivery(package, action=action, fields=["attempts", "next_attempt_at", "last_error", "status"])
    return package


def packages_deliver_due(*, now: datetime | None = None) -> dict[str, int]:
    """Attempt every queued package whose next attempt is due (the `exchange deliver` command)."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    due = OutboundPackage.objects.filter(status=OutboundStatus.QUEUED, next_attempt_at__lte=now).select_related("partner")
    for package in due:
        result = package_deliver(package=package, now=now)
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts


def package_retry(*, acting_user: Any, package: OutboundPackage) -> OutboundPackage:
    """Put a failed package back in the queue (a liaison's decision after fixing the cause)."""
    _require(acting_user, authz.Perm.EXCHANGE_SEND)
    if package.status != OutboundStatus.FAILED:
        raise Conflict(_("Only a package whose delivery failed can be retried."))
    with transaction.atomic(durable=True):
        package.status, package.attempts, package.next_attempt_at = OutboundStatus.QUEUED, 0, timezone.now()
        package.save()
        audit_record(actor=acting_user, action="exchange.package.requeue", obj=package, changed_fields=["status"])
    return package


# --- inbound -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiveResult:
    http_status: int
    body: dict[str, Any]
    inbound: InboundPackage | None = None


def _sender_keys(node_id: str) -> list[OKPKey] | None:
    node = agreement_selectors.partner_node_by_node_id(node_id=node_id)
    return None if node is None else partner_signing_keys(node)


def _check_agreement(meta: packages.MetadataOut, partner: PartnerNode, today: Any) -> Agreement:
    agreement = Agreement.objects.filter(reference=meta.agreement, partner_country=partner.country).first()
    if agreement is None:
        raise packages.PackageRejected(
            "agreement_unknown", _("This node has no agreement %(reference)s with %(country)s.")
            % {"reference": meta.agreement, "country": partner.country},
        )
    if not agreement.is_in_force(today):
        raise packages.PackageRejected(
            "agreement_not_in_force", _("Agreement %(reference)s is not in force.") % {"reference": agreement.reference}
        )
    if not agreement.covers(meta.crime_type):
        raise packages.PackageRejected(
            "crime_type_not_covered", _("Agreement %(reference)s does not cover this crime type.")
            % {"reference": agreement.reference},
        )
    if not set(meta.categories) <= set(agreement.categories):
        raise packages.PackageRejected(
            "category_not_allowed", _("The package carries data categories that agreement %(reference)s does not allow.")
            % {"reference": agreement.reference},
        )
    if meta.purpose not in agreement.purposes:
        raise packages.PackageRejected(
            "purpose_not_allowed", _("Agreement %(reference)s does not allow this purpose.") % {"reference": agreement.reference}
        )
    if _CODE_ORDER[meta.handling_code] < _CODE_ORDER[agreement.handling_code]:
        raise packages.PackageRejected(
            "handling_code_too_weak", _("Agreement %(reference)s requires handling code %(code)s or stricter.")
            % {"reference": agreement.reference, "code": agreement.handling_code},
        )
    return agreement


def package_receive(*, token: str, now: datetime | None = None) -> ReceiveResult:
    """Check a package from a partner and keep it in the inbox, or say exactly why not.

    Either way the answer carries a receipt signed by this node. Nothing is imported here: a
    reviewer does that later, all records or none.
    """
    now = now or timezone.now()
    own = node_keys_module.node_keys()
    package_id = ""
    try:
        opened = packages.open_package(
            token, receiving_node=settings.ALIANZA_NODE_ID, decryption_key=own.decryption_key,
            sender_keys=_sender_keys, max_bytes=max_package_bytes(), now=now,
        )
        meta = opened.package.metadata
        package_id = meta.package_id
        partner = PartnerNode.objects.get(node_id=opened.sending_node)
        if partner.country != meta.sending_country:
            raise packages.PackageRejected("signature_invalid", _("The package's sending country does not match the node."))
        agreement = _check_agreement(meta, partner, timezone.localdate(now))
        if InboundPackage.objects.filter(package_id=package_id).exists():
            raise packages.PackageRejected(
                "replay", _("Package %(id)s was already received.") % {"id": package_id}, http_status=409
            )
        try:
            with transaction.atomic(durable=True):
                inbound = InboundPackage.objects.create(
                    package_id=package_id, partner=partner, agreement=agreement, crime_type=meta.crime_type,
                    purpose=meta.purpose, handling_code=meta.handling_code, source_grading=meta.source_grading,
                    information_grading=meta.information_grading, categories=list(meta.categories),
                    in_reply_to=meta.in_reply_to, document=opened.document, digest=opened.digest,
                    size=opened.size, received_at=now, expires_at=meta.expires_at,
                    retain_until=now + timedelta(days=agreement.retention_days),
                )
                audit_record(
                    actor=None, action="exchange.package.receive", obj=inbound,
                    changed_fields=["package_id", "partner", "agreement", "categories", "handling_code"],
                )
                _mark_request_answered(reference=meta.in_reply_to, partner=partner)
        except IntegrityError as exc:  # a concurrent delivery of the same package
            raise packages.PackageRejected(
                "replay", _("Package %(id)s was already received.") % {"id": package_id}, http_status=409
            ) from exc
    except packages.PackageRejected as exc:
        logger.info("package refused", extra={"package_id": package_id, "reason": exc.reason})
        audit_record_now(
            actor=None, action=f"exchange.package.refuse.{exc.reason}",
            object_type="exchange.inboundpackage", object_id=package_id,
        )
        receipt = packages.sign_receipt(
            package_id=package_id, digest=packages.package_digest(token), status="rejected",
            receiving_node=settings.ALIANZA_NODE_ID, signing_key=own.signing, reason=exc.reason,
            message=exc.message, now=now,
        )
        return ReceiveResult(
            exc.http_status,
            {"error": {"code": exc.code, "message": exc.message, "details": {"reason": exc.reason}}, "receipt": receipt},
        )
    receipt = packages.sign_receipt(
        package_id=package_id, digest=opened.digest, status="accepted",
        receiving_node=settings.ALIANZA_NODE_ID, signing_key=own.signing, now=now,
    )
    logger.info("package received", extra={"package_id": package_id})
    return ReceiveResult(202, {"package_id": package_id, "status": "accepted", "receipt": receipt}, inbound)


_SECTION_KINDS = {
    "statistics": RecordKind.STATISTICS, "case": RecordKind.CASE, "route": RecordKind.ROUTE,
    "suspects": RecordKind.SUSPECT, "victims": RecordKind.VICTIM,
}


def package_records(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """A package's records as (kind, partner's record id, data), in section order."""
    content = document.get("content", {})
    records: list[tuple[str, str, dict[str, Any]]] = []
    for section, kind in _SECTION_KINDS.items():
        value = content.get(section)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            record_id = str(item.get("record_id") or item.get("reference") or item.get("position") or "")
            records.append((kind, record_id, item))
    return records


def _check_links(acting_user: Any, links: dict[str, str]) -> None:
    """Every link names a local person (`person:<id>`) whom the reviewer may see."""
    from alianza.people.selectors import person_list

    ids = []
    for value in links.values():
        kind, _sep, pk = value.partition(":")
        if kind != "person" or not pk.isdigit():
            raise ValidationFailed(_("Link a record to a local person as person:<number>."))
        ids.append(int(pk))
    if ids and person_list(acting_user=acting_user).filter(pk__in=ids).count() != len(set(ids)):
        raise ValidationFailed(_("Some linked persons do not exist or you may not see them."))


def inbound_import(
    *, acting_user: Any, inbound: InboundPackage, links: dict[str, str] | None = None
) -> list[ReceivedRecord]:
    """Import every record of a reviewed package with its provenance, or none of them.

    `links` maps the partner's record ids to the local records the reviewer matched them to.
    """
    _require(acting_user, authz.Perm.EXCHANGE_REVIEW)
    links = links or {}
    with transaction.atomic(durable=True):
        locked = InboundPackage.objects.select_for_update().get(pk=inbound.pk)
        if locked.status != InboundStatus.PENDING or locked.document is None:
            raise Conflict(_("This package has already been reviewed."))
        records = package_records(locked.document)
        unknown = set(links) - {record_id for _, record_id, _ in records}
        if unknown:
            raise ValidationFailed(_("Some links name records that are not in this package."))
        _check_links(acting_user, links)
        created = []
        for kind, record_id, data in records:
            record = ReceivedRecord.objects.create(
                inbound=locked, kind=kind, record_id=record_id, data=data,
                partner_country=locked.partner.country, agreement_reference=locked.agreement.reference,
                handling_code=locked.handling_code, package_id=locked.package_id,
                linked_to=links.get(record_id, ""), imported_by=acting_user, retain_until=locked.retain_until,
            )
            audit_record(
                actor=acting_user, action="exchange.record.import", obj=record,
                changed_fields=["kind", "data", "partner_country", "agreement_reference", "handling_code", "linked_to"],
            )
            created.append(record)
        locked.status, locked.reviewed_by, locked.reviewed_at = InboundStatus.IMPORTED, acting_user, timezone.now()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_record(actor=acting_user, action="exchange.package.import", obj=locked, changed_fields=["status"])
        transaction.on_commit(lambda: outcome_receipt_send(inbound_id=locked.pk))
    inbound.refresh_from_db()
    return created


def inbound_dismiss(*, acting_user: Any, inbound: InboundPackage) -> InboundPackage:
    """Refuse a package after review: its content is deleted now, its id stays as a replay guard."""
    _require(acting_user, authz.Perm.EXCHANGE_REVIEW)
    with transaction.atomic(durable=True):
        locked = InboundPackage.objects.select_for_update().get(pk=inbound.pk)
        if locked.status != InboundStatus.PENDING:
            raise Conflict(_("This package has already been reviewed."))
        locked.status, locked.document = InboundStatus.DISMISSED, None
        locked.reviewed_by, locked.reviewed_at = acting_user, timezone.now()
        locked.save()
        audit_record(actor=acting_user, action="exchange.package.dismiss", obj=locked, changed_fields=["status", "document"])
        transaction.on_commit(lambda: outcome_receipt_send(inbound_id=locked.pk))
    return locked


def receipts_url(node: PartnerNode) -> str:
    """Where a partner takes receipts: beside its inbox (…/exchange/inbox → …/exchange/receipts)."""
    base = node.inbox_url.rstrip("/")
    return base[: -len("/inbox")] + "/receipts" if base.endswith("/inbox") else ""


def outcome_receipt_send(*, inbound_id: int) -> bool:
    """Tell the sender, with a signed receipt, whether its package was imported or dismissed.

    One attempt, after the review committed; the sender's outbox shows the decision. A failure is
    logged, and the partner still has the receipt given when the package arrived.
    """
    inbound = InboundPackage.objects.select_related("partner").get(pk=inbound_id)
    url = receipts_url(inbound.partner)
    if not url or inbound.status not in (InboundStatus.IMPORTED, InboundStatus.DISMISSED):
        return False
    receipt = packages.sign_receipt(
        package_id=inbound.package_id, digest=inbound.digest, status=inbound.status,  # type: ignore[arg-type]
        receiving_node=settings.ALIANZA_NODE_ID, signing_key=node_keys_module.node_keys().signing,
    )
    try:
        response = requests.post(
            url, data=receipt.encode(), headers={"Content-Type": "application/jose"}, timeout=HTTP_TIMEOUT
        )
    except requests.RequestException as exc:
        logger.warning("outcome receipt not delivered", extra={"package_id": inbound.package_id, "error": type(exc).__name__})
        return False
    if response.status_code >= 300:
        logger.warning("outcome receipt refused", extra={"package_id": inbound.package_id, "status": response.status_code})
        return False
    return True


def outcome_receipt_receive(*, token: str) -> OutboundPackage:
    """Record a partner's signed decision (imported or dismissed) on a package we sent."""
    try:
        kid = str(packages.b64_json(token.split(".")[0]).get("kid", ""))  # the JWS header
    except (ValueError, IndexError) as exc:
        raise packages.PackageRejected("receipt_invalid", _("The receipt cannot be read.")) from exc
    key = (
        PartnerKey.objects.filter(kid=kid, use="sig", revoked_at__isnull=True, node__is_active=True)
        .select_related("node")
        .first()
    )
    if key is None:
        raise packages.PackageRejected("receipt_invalid", _("The receipt is signed with an unknown key."))
    body = packages.verify_receipt(token, keys=partner_signing_keys(key.node))
    if body.get("receiving_node") != key.node.node_id or body.get("status") not in ("imported", "dismissed"):
        raise packages.PackageRejected("receipt_invalid", _("The receipt does not come from the package's recipient."))
    package = OutboundPackage.objects.filter(
        package_id=str(body.get("package_id")), partner=key.node, digest=str(body.get("package_digest"))
    ).first()
    if package is None:
        raise packages.PackageRejected("receipt_invalid", _("No package we sent matches this receipt."))
    if package.partner_outcome:
        return package  # idempotent
    with transaction.atomic(durable=True):
        package.partner_outcome, package.partner_outcome_at = str(body["status"]), timezone.now()
        package.outcome_receipt = token
        package.save(update_fields=["partner_outcome", "partner_outcome_at", "outcome_receipt"])
        audit_record(
            actor=None, action="exchange.package.outcome", obj=package,
            changed_fields=["partner_outcome", "outcome_receipt"],
        )
    return package


def received_person(record: ReceivedRecord) -> packages.PersonRecord:
    """A received victim or suspect as the policy filter sees it, provenance included.

    The case adapter uses this for every person that came from a partner, so the handling code
    they came under keeps limiting where they may go.
    """
    data = record.data or {}
    fields: dict[str, Any] = {name: str(data.get(name, "")) for name in packages.PERSON_FIELDS}
    return packages.PersonRecord(
        **fields,
        provenance=packages.Provenance(
            country=record.partner_country, agreement=record.agreement_reference,
            handling_code=record.handling_code, package_id=record.package_id,
        ),
    )


# --- requests for assistance -------------------------------------------------------------------


def request_create(
    *,
    acting_user: Any,
    partner: PartnerNode,
    type: str,
    subject: str,
    deadline: Any,
    direction: str = RequestDirection.OUTGOING,
    reference: str = "",
    case_reference: str = "",
    details: str = "",
) -> AssistanceRequest:
    _require(acting_user, authz.Perm.EXCHANGE_SEND)
    agreements = agreement_selectors.agreements_in_force(country=partner.country)
    if not agreements:
        raise ValidationFailed(_("No agreement with %(country)s is in force.") % {"country": partner.country})
    if deadline < timezone.localdate() and direction == RequestDirection.OUTGOING:
        raise ValidationFailed(_("The deadline cannot be in the past."))
    request = AssistanceRequest(
        reference=reference or f"{settings.ALIANZA_NODE_COUNTRY}-RQ-{uuid.uuid4().hex[:10].upper()}",
        direction=direction, partner=partner, agreement=agreements[0], type=type, subject=subject,
        details=details, deadline=deadline, case_reference=case_reference, created_by=acting_user,
    )
    try:
        request.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(_("The request is not valid."), extra=exc.message_dict) from exc
    with transaction.atomic(durable=True):
        request.save()
        audit_record(
            actor=acting_user, action="exchange.request.create", obj=request,
            changed_fields=["reference", "direction", "partner", "type", "subject", "details", "deadline"],
        )
    return request


def _request_answered(*, request: AssistanceRequest, actor: Any) -> None:
    if request.status == RequestStatus.OPEN:
        request.status, request.answered_at = RequestStatus.ANSWERED, timezone.now()
        request.save(update_fields=["status", "answered_at"])
        audit_record(actor=actor, action="exchange.request.answer", obj=request, changed_fields=["status"])


def _mark_request_answered(*, reference: str, partner: PartnerNode) -> None:
    if not reference:
        return
    request = AssistanceRequest.objects.filter(
        reference=reference, partner=partner, direction=RequestDirection.OUTGOING
    ).first()
    if request is not None:
        _request_answered(request=request, actor=None)


def request_close(*, acting_user: Any, request: AssistanceRequest) -> AssistanceRequest:
    _require(acting_user, authz.Perm.EXCHANGE_SEND)
    with transaction.atomic(durable=True):
        request.status = RequestStatus.CLOSED
        request.save(update_fields=["status"])
        audit_record(actor=acting_user, action="exchange.request.close", obj=request, changed_fields=["status"])
    return request


def requests_remind(*, days_ahead: int = 3, now: datetime | None = None) -> list[AssistanceRequest]:
    """Open requests due within `days_ahead` days (or overdue), reminded at most once a day."""
    now = now or timezone.now()
    horizon = timezone.localdate(now) + timedelta(days=days_ahead)
    due = AssistanceRequest.objects.filter(status=RequestStatus.OPEN, deadline__lte=horizon).select_related("partner")
    reminded = []
    for request in due:
        if request.last_reminded_at is not None and now - request.last_reminded_at < timedelta(hours=23):
            continue
        with transaction.atomic(durable=True):
            request.last_reminded_at = now
            request.save(update_fields=["last_reminded_at"])
            audit_record(actor=None, action="exchange.request.remind", obj=request, changed_fields=["last_reminded_at"])
        reminded.append(request)
    return reminded


# --- retention ---------------------------------------------------------------------------------

# What survives anonymisation: enough for statistics, nothing that identifies anyone.
_KEPT_AFTER_ANONYMISATION = {"sex", "nationality", "role_detail", "crime_type", "event_type", "country", "year"}


def _anonymised(kind: str, data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    kept = {k: v for k, v in data.items() if k in _KEPT_AFTER_ANONYMISATION}
    birth = str(data.get("birth_date", ""))
    if birth[:4].isdigit():
        kept["birth_year"] = birth[:4]
    if kind == RecordKind.STATISTICS:
        return data  # aggregates identify nobody
    return kept


@dataclass(frozen=True)
class RetentionResult:
    packages_purged: int
    records_anonymised: int


def retention_run(*, now: datetime | None = None) -> RetentionResult:
    """Delete received packages and anonymise imported records whose retention period has ended.

    Idempotent: what has been done is not done again, and each change is audited once.
    """
    now = now or timezone.now()
    purged = anonymised = 0
    for inbound in InboundPackage.objects.filter(retain_until__lte=now, document__isnull=False).only("pk"):
        with transaction.atomic(durable=True):
            locked = InboundPackage.objects.select_for_update().get(pk=inbound.pk)
            if locked.document is None:
                continue
            locked.document = None
            if locked.status == InboundStatus.PENDING:
                locked.status = InboundStatus.PURGED
            locked.save(update_fields=["document", "status"])
            audit_record(actor=None, action="retention.package.purge", obj=locked, changed_fields=["document", "status"])
        purged += 1
    for record in ReceivedRecord.objects.filter(retain_until__lte=now, anonymised_at__isnull=True).only("pk"):
        with transaction.atomic(durable=True):
            locked_record = ReceivedRecord.objects.select_for_update().get(pk=record.pk)
            if locked_record.anonymised_at is not None:
                continue
            locked_record.data = _anonymised(locked_record.kind, locked_record.data)
            locked_record.record_id, locked_record.linked_to = "", ""
            locked_record.anonymised_at = now
            locked_record.save(update_fields=["data", "record_id", "linked_to", "anonymised_at"])
            audit_record(
                actor=None, action="retention.record.anonymise", obj=locked_record,
                changed_fields=["data", "record_id", "linked_to"],
            )
        anonymised += 1
    return RetentionResult(packages_purged=purged, records_anonymised=anonymised)
