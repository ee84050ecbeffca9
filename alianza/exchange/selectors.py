"""Reading the outbox, the inbox, imported records and requests for assistance."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.core.errors import NotFound, PermissionDenied
from alianza.exchange.models import (
    AssistanceRequest,
    InboundPackage,
    OutboundPackage,
    ReceivedRecord,
)


def _require(acting_user: Any, perm: authz.Perm) -> None:
    if not authz.has_perm(acting_user, perm):
        raise PermissionDenied(_("Your role does not allow this exchange operation."))


def outbox_list(*, acting_user: Any) -> QuerySet[OutboundPackage]:
    _require(acting_user, authz.Perm.EXCHANGE_SEND)
    return OutboundPackage.objects.select_related("partner", "agreement").defer("token", "receipt")


def outbound_get(*, acting_user: Any, pk: int) -> OutboundPackage:
    package = OutboundPackage.objects.select_related("partner", "agreement").filter(pk=pk).first()
    _require(acting_user, authz.Perm.EXCHANGE_SEND)
    if package is None:
        raise NotFound(_("No such package."))
    return package


def inbox_list(*, acting_user: Any, status: str = "") -> QuerySet[InboundPackage]:
    _require(acting_user, authz.Perm.EXCHANGE_REVIEW)
    qs = InboundPackage.objects.select_related("partner", "agreement").defer("document")
    return qs.filter(status=status) if status else qs


def inbound_get(*, acting_user: Any, pk: int) -> InboundPackage:
    _require(acting_user, authz.Perm.EXCHANGE_REVIEW)
    package = InboundPackage.objects.select_related("partner", "agreement").filter(pk=pk).first()
    if package is None:
        raise NotFound(_("No such package."))
    return package


def received_records(*, acting_user: Any, inbound: InboundPackage) -> QuerySet[ReceivedRecord]:
    _require(acting_user, authz.Perm.EXCHANGE_REVIEW)
    return ReceivedRecord.objects.filter(inbound=inbound)


def request_list(*, acting_user: Any) -> QuerySet[AssistanceRequest]:
    _require(acting_user, authz.Perm.EXCHANGE_SEND)
    return AssistanceRequest.objects.select_related("partner", "agreement")


def inbound_link_suggestions(*, acting_user: Any, inbound: InboundPackage) -> dict[str, list[tuple[str, str]]]:
    """Local persons the reviewer may see whose identity document matches an incoming person's.

    An exact document match only, until the linkage service offers probabilistic matching of a
    single record; returns {partner's record id: [(link value, label), …]}.
    """
    from alianza.normalize.documents import document_match_key
    from alianza.people.selectors import person_list

    _require(acting_user, authz.Perm.EXCHANGE_REVIEW)
    content = (inbound.document or {}).get("content", {})
    visible = person_list(acting_user=acting_user)
    suggestions: dict[str, list[tuple[str, str]]] = {}
    for section in ("victims", "suspects"):
        for record in content.get(section) or []:
            key = document_match_key(
                record.get("document_number"), document_type=record.get("document_type") or None,
                country=record.get("nationality") or None,
            )
            if not key:
                continue
            matches = visible.filter(documents__number_normalized=key)[:5]
            if matches:
                suggestions[str(record.get("record_id", ""))] = [
                    (f"person:{person.pk}", person.full_name or f"#{person.pk}") for person in matches
                ]
    return suggestions
