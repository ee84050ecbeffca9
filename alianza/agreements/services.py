"""Writes for agreements, partner nodes and partner keys; each audited in its own transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from alianza.accounts import authz
from alianza.agreements.models import (
    Agreement,
    KeyUse,
    LegalBasis,
    PartnerKey,
    PartnerNode,
    Purpose,
)
from alianza.audit.services import audit_record
from alianza.core.errors import Conflict, PermissionDenied, ValidationFailed

AGREEMENT_FIELDS = (
    "reference",
    "partner_country",
    "title",
    "type",
    "signed_on",
    "in_force_from",
    "expires_on",
    "scope",
    "categories",
    "victim_legal_bases",
    "purposes",
    "handling_code",
    "retention_days",
    "focal_points",
)
_CURVE_FOR_USE = {KeyUse.SIGNING: "Ed25519", KeyUse.ENCRYPTION: "X25519"}


def _require_manager(acting_user: Any) -> None:
    # `None` is the system itself (demo seed, commands run by the operator).
    if acting_user is not None and not authz.has_perm(acting_user, authz.Perm.AGREEMENTS_MANAGE):
        raise PermissionDenied(_("Only coordinators manage agreements and partner nodes."))


def _clean_agreement(agreement: Agreement) -> None:
    errors: dict[str, list[str]] = {}
    if set(agreement.categories) - {str(c) for c in authz.Category}:
        errors["categories"] = [_("Unknown data category.")]
    if not agreement.categories:
        errors["categories"] = [_("Choose at least one data category.")]
    if set(agreement.purposes) - set(Purpose.values) or not agreement.purposes:
        errors["purposes"] = [_("Choose one or more of the listed purposes.")]
    if set(agreement.victim_legal_bases) - set(LegalBasis.values):
        errors["victim_legal_bases"] = [_("Unknown legal basis.")]
    if agreement.in_force_from and agreement.signed_on and agreement.in_force_from < agreement.signed_on:
        errors["in_force_from"] = [_("An agreement cannot come into force before it is signed.")]
    if agreement.expires_on and agreement.in_force_from and agreement.expires_on < agreement.in_force_from:
        errors["expires_on"] = [_("An agreement cannot expire before it comes into force.")]
    try:
        agreement.full_clean(exclude=["categories", "purposes", "victim_legal_bases"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationFailed(_("The agreement is not valid."), extra=errors)


def agreement_create(
    *,
    acting_user: Any,
    reference: str,
    partner_country: str,
    title: str,
    type: str,
    signed_on: date,
    in_force_from: date,
    scope: str,
    categories: list[str],
    purposes: list[str],
    handling_code: str,
    retention_days: int,
    expires_on: date | None = None,
    victim_legal_bases: list[str] | None = None,
    focal_points: str = "",
) -> Agreement:
    _require_manager(acting_user)
    agreement = Agreement(
        reference=reference,
        partner_country=partner_country.upper(),
        title=title,
        type=type,
        signed_on=signed_on,
        in_force_from=in_force_from,
        expires_on=expires_on,
        scope=scope,
        categories=sorted(set(categories)),
        victim_legal_bases=sorted(set(victim_legal_bases or [])),
        purposes=sorted(set(purposes)),
        handling_code=handling_code,
        retention_days=retention_days,
        focal_points=focal_points,
    )
    _clean_agreement(agreement)
    with transaction.atomic(durable=True):
        agreement.save()
        audit_record(actor=acting_user, action="agreement.create", obj=agreement, changed_fields=AGREEMENT_FIELDS)
    return agreement


def agreement_update(*, acting_user: Any, agreement: Agreement, **changes: Any) -> Agreement:
    _require_manager(acting_user)
    unknown = set(changes) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    changed = [name for name, value in changes.items() if getattr(agreement, name) != value]
    for name in changed:
        setattr(agreement, name, changes[name])
    if not changed:
        return agreement
    _clean_agreement(agreement)
    with transaction.atomic(durable=True):
        agreement.updated_at = timezone.now()
        agreement.save()
        audit_record(actor=acting_user, action="agreement.update", obj=agreement, changed_fields=changed)
    return agreement


def partner_node_create(
    *, acting_user: Any, node_id: str, country: str, name: str, inbox_url: str = ""
) -> PartnerNode:
    _require_manager(acting_user)
    node = PartnerNode(node_id=node_id, country=country.upper(), name=name, inbox_url=inbox_url)
    try:
        node.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(_("The partner node is not valid."), extra=exc.message_dict) from exc
    with transaction.atomic(durable=True):
        node.save()
        audit_record(
            actor=acting_user, action="partner_node.create", obj=node,
            changed_fields=["node_id", "country", "name", "inbox_url"],
        )
    return node


def partner_node_update(*, acting_user: Any, node: PartnerNode, **changes: Any) -> PartnerNode:
    _require_manager(acting_user)
    allowed = {"name", "inbox_url", "is_active"}
    if set(changes) - allowed:
        raise ValidationFailed(_("Only the name, the inbox URL and whether the node is active can change."))
    changed = [k for k, v in changes.items() if getattr(node, k) != v]
    for k in changed:
        setattr(node, k, changes[k])
    try:
        node.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(_("The partner node is not valid."), extra=exc.message_dict) from exc
    if changed:
        with transaction.atomic(durable=True):
            node.save()
            audit_record(actor=acting_user, action="partner_node.update", obj=node, changed_fields=changed)
    return node


def public_jwk_validate(*, jwk: dict[str, Any], use: str) -> dict[str, Any]:
    """Check a partner's public JWK and return it normalised, with its thumbprint as kid."""
    if not isinstance(jwk, dict):
        raise ValidationFailed(_("A key must be a JSON object (a JWK)."))
    if "d" in jwk:
        raise ValidationFailed(_("This JWK contains a private key. Ask the partner for the public key only."))
    curve = _CURVE_FOR_USE.get(KeyUse(use)) if use in KeyUse.values else None
    if curve is None:
        raise ValidationFailed(_("A key is either for signing or for encryption."))
    if jwk.get("kty") != "OKP" or jwk.get("crv") != curve:
        raise ValidationFailed(
            _("A %(use)s key must be an OKP key on the %(curve)s curve.") % {"use": use, "curve": curve}
        )
    try:
        key = OKPKey.import_key(jwk)
    except (JoseError, ValueError, TypeError) as exc:
        raise ValidationFailed(_("This is not a valid public key.")) from exc
    normalised = dict(key.as_dict(private=False))
    normalised["kid"] = str(jwk.get("kid") or key.thumbprint())
    normalised["use"] = use
    return normalised


def partner_key_add(
    *,
    acting_user: Any,
    node: PartnerNode,
    use: str,
    jwk: dict[str, Any],
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> PartnerKey:
    """Add a partner key. Older keys stay valid until revoked or past `valid_until` (rotation)."""
    _require_manager(acting_user)
    normalised = public_jwk_validate(jwk=jwk, use=use)
    key = PartnerKey(
        node=node, kid=normalised["kid"], use=use, public_jwk=normalised,
        valid_from=valid_from or timezone.now(), valid_until=valid_until,
    )
    try:
        with transaction.atomic(durable=True):
            key.save()
            audit_record(
                actor=acting_user, action="partner_key.add", obj=key,
                changed_fields=["node", "kid", "use", "public_jwk", "valid_from", "valid_until"],
            )
    except IntegrityError as exc:
        raise Conflict(_("This partner already has a key with id %(kid)s.") % {"kid": key.kid}) from exc
    return key


def partner_key_revoke(*, acting_user: Any, key: PartnerKey) -> PartnerKey:
    _require_manager(acting_user)
    if key.revoked_at is not None:
        return key
    with transaction.atomic(durable=True):
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=acting_user, action="partner_key.revoke", obj=key, changed_fields=["revoked_at"])
    return key


def partner_node_register(
    *, acting_user: Any, node_id: str, country: str, name: str, inbox_url: str, jwks: dict[str, Any]
) -> PartnerNode:
    """Create or update a partner node from its published JWK Set, adding keys not yet known."""
    node = PartnerNode.objects.filter(node_id=node_id).first()
    if node is None:
        node = partner_node_create(
            acting_user=acting_user, node_id=node_id, country=country, name=name, inbox_url=inbox_url
        )
    else:
        node = partner_node_update(acting_user=acting_user, node=node, name=name, inbox_url=inbox_url)
    known = set(node.keys.values_list("kid", flat=True))
    for jwk in jwks.get("keys", []):
        use = jwk.get("use") or (KeyUse.SIGNING if jwk.get("crv") == "Ed25519" else KeyUse.ENCRYPTION)
        kid = jwk.get("kid") or public_jwk_validate(jwk=jwk, use=use)["kid"]
        if kid not in known:
            partner_key_add(acting_user=acting_user, node=node, use=use, jwk=jwk)
    return node
