"""Reading agreements, partner nodes and their keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from alianza.accounts import authz
from alianza.agreements.models import Agreement, KeyUse, PartnerKey, PartnerNode
from alianza.core.errors import NotFound, PermissionDenied


def _require(acting_user: Any, *perms: authz.Perm) -> None:
    if not any(authz.has_perm(acting_user, perm) for perm in perms):
        raise PermissionDenied("Your role does not allow reading agreements.")


def agreement_list(*, acting_user: Any, country: str = "") -> QuerySet[Agreement]:
    _require(acting_user, authz.Perm.AGREEMENTS_MANAGE, authz.Perm.EXCHANGE_SEND, authz.Perm.EXCHANGE_REVIEW)
    qs = Agreement.objects.all()
    return qs.filter(partner_country=country) if country else qs


def agreement_get(*, acting_user: Any, pk: int) -> Agreement:
    agreement = agreement_list(acting_user=acting_user).filter(pk=pk).first()
    if agreement is None:
        raise NotFound("No such agreement.")
    return agreement


def agreements_in_force(*, country: str, on: date | None = None) -> list[Agreement]:
    """The agreements with `country` in force on a date (system use: no acting user)."""
    on = on or timezone.localdate()
    qs = Agreement.objects.filter(partner_country=country, in_force_from__lte=on).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )
    return list(qs.order_by("-in_force_from"))


def agreement_for_exchange(*, country: str, crime_type: str, on: date | None = None) -> Agreement | None:
    """The agreement under which a package about `crime_type` may go to or come from `country`."""
    for agreement in agreements_in_force(country=country, on=on):
        if agreement.covers(crime_type):
            return agreement
    return None


def partner_node_list(*, acting_user: Any) -> QuerySet[PartnerNode]:
    _require(acting_user, authz.Perm.AGREEMENTS_MANAGE, authz.Perm.EXCHANGE_SEND, authz.Perm.EXCHANGE_REVIEW)
    return PartnerNode.objects.prefetch_related("keys")


def partner_node_get(*, acting_user: Any, pk: int) -> PartnerNode:
    node = partner_node_list(acting_user=acting_user).filter(pk=pk).first()
    if node is None:
        raise NotFound("No such partner node.")
    return node


def partner_node_by_node_id(*, node_id: str) -> PartnerNode | None:
    return PartnerNode.objects.filter(node_id=node_id, is_active=True).first()


def _valid_keys(at: datetime) -> QuerySet[PartnerKey]:
    return PartnerKey.objects.filter(revoked_at__isnull=True, valid_from__lte=at).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )


def partner_key_for_verification(*, node: PartnerNode, kid: str, at: datetime | None = None) -> PartnerKey | None:
    """A valid signing key of `node` with this key id, or None."""
    return _valid_keys(at or timezone.now()).filter(node=node, use=KeyUse.SIGNING, kid=kid).first()


def partner_encryption_key(*, node: PartnerNode, at: datetime | None = None) -> PartnerKey | None:
    """The newest valid encryption key of `node`: packages to it are encrypted to this one."""
    return _valid_keys(at or timezone.now()).filter(node=node, use=KeyUse.ENCRYPTION).order_by("-valid_from").first()
