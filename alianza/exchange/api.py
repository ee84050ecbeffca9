"""API for partner nodes (the inbox and our public keys) and for liaisons (outbox and inbox).

`exchange_inbox_receive` is open at the HTTP level on purpose: a partner node has no user here.
What authenticates a package is its signature, checked against the partner's registered keys
(see `services.package_receive`), and only an encrypted, signed package is ever accepted.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema
from ninja.pagination import paginate

from alianza.agreements import keys
from alianza.api.pagination import Pagination
from alianza.api.schemas import ErrorOut, InputSchema
from alianza.api.security import request_user
from alianza.exchange import selectors, services

router = Router(tags=["exchange"])


class JwksOut(Schema):
    keys: list[dict[str, str]]


class ReceiptOut(Schema):
    package_id: str
    status: str
    receipt: str


class OutboundOut(Schema):
    id: int
    package_id: str
    partner: str
    agreement: str
    case_reference: str
    handling_code: str
    categories: list[str]
    status: str
    attempts: int
    rejection_reason: str
    rejection_message: str
    created_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_partner(obj: object) -> str:
        return obj.partner.node_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_agreement(obj: object) -> str:
        return obj.agreement.reference  # type: ignore[attr-defined]


class InboundOut(Schema):
    id: int
    package_id: str
    partner: str
    agreement: str
    crime_type: str
    purpose: str
    handling_code: str
    source_grading: str
    information_grading: str
    categories: list[str]
    status: str
    received_at: datetime
    retain_until: datetime

    @staticmethod
    def resolve_partner(obj: object) -> str:
        return obj.partner.node_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_agreement(obj: object) -> str:
        return obj.agreement.reference  # type: ignore[attr-defined]


class ImportIn(InputSchema):
    links: dict[str, str] = {}


class ImportOut(Schema):
    imported: int


@router.post(
    "/inbox",
    auth=None,
    response={202: ReceiptOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    openapi_extra={"requestBody": {"content": {"application/jose": {"schema": {"type": "string"}}}, "required": True}},
)
def exchange_inbox_receive(request: HttpRequest) -> JsonResponse:
    """Receive a package from a partner node: a compact JWE (ECDH-ES, A256GCM) around a JWS
    (EdDSA). The answer carries a receipt signed by this node, also when the package is refused;
    `error.details.reason` then says why (for example `replay`, `expired`, `signature_invalid`)."""
    token = request.body.decode("ascii", errors="replace")
    result = services.package_receive(token=token)
    return JsonResponse(result.body, status=result.http_status)


@router.get("/jwks", auth=None, response={200: JwksOut, 503: ErrorOut})
def exchange_node_jwks(request: HttpRequest) -> dict[str, object]:
    """This node's public signing and encryption keys as a JWK Set, for partners to register."""
    return keys.public_jwks()


@router.get("/outbox", response={200: list[OutboundOut], 401: ErrorOut, 403: ErrorOut})
@paginate(Pagination)
def exchange_outbox_list(request: HttpRequest) -> list[OutboundOut]:
    """Packages this node sent, newest first, with delivery status and any rejection reason."""
    return selectors.outbox_list(acting_user=request_user(request))  # type: ignore[return-value]


@router.get("/inbox", response={200: list[InboundOut], 401: ErrorOut, 403: ErrorOut})
@paginate(Pagination)
def exchange_inbox_list(request: HttpRequest, status: str = "") -> list[InboundOut]:
    """Packages received from partners, newest first; `status` filters (pending, imported, …)."""
    return selectors.inbox_list(acting_user=request_user(request), status=status)  # type: ignore[return-value]


@router.post(
    "/inbox/{inbound_id}/import",
    response={200: ImportOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def exchange_inbox_import(request: HttpRequest, inbound_id: int, payload: ImportIn) -> ImportOut:
    """Import every record of a received package with its provenance (all or nothing).
    `links` maps the partner's record ids to local records the reviewer matched them to."""
    user = request_user(request)
    inbound = selectors.inbound_get(acting_user=user, pk=inbound_id)
    records = services.inbound_import(acting_user=user, inbound=inbound, links=payload.links)
    return ImportOut(imported=len(records))


class OutcomeOut(Schema):
    package_id: str
    partner_outcome: str


@router.post(
    "/receipts",
    auth=None,
    response={200: OutcomeOut, 422: ErrorOut},
    openapi_extra={"requestBody": {"content": {"application/jose": {"schema": {"type": "string"}}}, "required": True}},
)
def exchange_receipt_receive(request: HttpRequest) -> OutcomeOut:
    """Receive a partner's signed receipt saying whether it imported or dismissed a package we
    sent (a compact JWS by the partner's registered signing key)."""
    token = request.body.decode("ascii", errors="replace").strip()
    package = services.outcome_receipt_receive(token=token)
    return OutcomeOut(package_id=package.package_id, partner_outcome=package.partner_outcome)
