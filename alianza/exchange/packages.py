"""The exchange package: what it may contain, how it is sealed, and how a received one is checked.

A plain library with no database access, so that it can be tested, benchmarked and reused on its
own; `alianza.exchange.services` binds it to agreements, keys and the inbox.

* `build_content` applies an agreement's policy to a `CaseSnapshot`. Each section of a snapshot
  belongs to one data category (`SECTION_CATEGORIES`); a section whose category the agreement
  does not allow is never copied, and neither is a record received under a handling code that
  forbids onward transfer, unless it goes back to the country it came from.
* `seal` signs the package as a JWS (EdDSA, Ed25519) and encrypts the JWS to the partner in a JWE
  (ECDH-ES with X25519, A256GCM), so any JOSE library can open and verify it.
* `open_package` undoes that and checks, in order: size, envelope, sender, decryption, signature,
  schema, recipient, freshness. Every failure is a `PackageRejected` with a stable reason code.
  Agreement and replay checks need the database and are made by the caller.
* Receipts are small signed JWS documents bound to the exact package by its SHA-256 digest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from joserfc import jwe, jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwe import JWERegistry
from joserfc.jwk import OKPKey
from joserfc.registry import HeaderParameter, is_str
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from alianza.accounts.authz import Category
from alianza.core.errors import ApplicationError

FORMAT = "alianza-exchange/1"
RECEIPT_FORMAT = "alianza-receipt/1"
SIGNING_ALG = "EdDSA"
# RFC 9864 prefers the fully specified "Ed25519"; both name the same signature, so accept both.
VERIFY_ALGS = ["EdDSA", "Ed25519"]
KEY_ALG, CONTENT_ENC = "ECDH-ES", "A256GCM"
PACKAGE_TYPE, RECEIPT_TYPE = "alianza-package+jose", "alianza-receipt+jws"
DEFAULT_MAX_BYTES = 200_000
CLOCK_SKEW = timedelta(minutes=5)

# joserfc warns on every use of "EdDSA" (RFC 9864); we choose it on purpose, for partners whose
# JOSE libraries do not know "Ed25519" yet.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)

NO_ONWARD_TRANSFER = frozenset({"H2", "H3"})

# The JWE header names the sending node in "iss" (RFC 7519 §5.3 replicates claims as header
# parameters), so the receiver knows whose keys to check before it opens anything.
_JWE_REGISTRY = JWERegistry(
    header_registry={"iss": HeaderParameter("Issuer (sending node)", is_str)},
    algorithms=[KEY_ALG, CONTENT_ENC],
)

# Which data category each section of a package belongs to. A section not listed never leaves.
SECTION_CATEGORIES: dict[str, Category] = {
    "statistics": Category.STATISTICS,
    "case": Category.CASE_SUMMARY,
    "route": Category.ROUTE,
    "suspects": Category.SUSPECT_IDENTITY,
    "victims": Category.VICTIM_IDENTITY,
}


# --- errors ------------------------------------------------------------------------------------


class PackageRejected(ApplicationError):
    """A package that must not be accepted (or built). `reason` is a stable code."""

    code = "package_rejected"
    http_status = 422

    def __init__(self, reason: str, message: str | Promise, *, http_status: int | None = None) -> None:
        super().__init__(str(message), extra={"reason": reason})
        self.reason = reason
        if http_status is not None:
            self.http_status = http_status


class OnwardTransferForbidden(PackageRejected):
    def __init__(self, message: str | Promise) -> None:
        super().__init__("onward_transfer_forbidden", message)


# --- the local case, as the policy sees it ------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where a received record came from; its handling code limits where it may go next."""

    country: str
    agreement: str
    handling_code: str
    package_id: str = ""

    def forbids_transfer_to(self, country: str) -> bool:
        return self.handling_code in NO_ONWARD_TRANSFER and country != self.country


@dataclass(frozen=True)
class PersonRecord:
    """A victim or suspect, with the canonical person-record fields (see design.md)."""

    record_id: str
    given_names: str = ""
    first_surname: str = ""
    second_surname: str = ""
    sex: str = ""
    birth_date: str = ""
    nationality: str = ""
    document_type: str = ""
    document_number: str = ""
    birth_place: str = ""
    role_detail: str = ""  # a suspect's role in the process (recruiter, transporter, …)
    consented_countries: frozenset[str] = frozenset()  # victims: recorded consent, per partner
    provenance: Provenance | None = None


@dataclass(frozen=True)
class RouteStep:
    position: int
    event_type: str
    country: str
    place: str = ""
    date: str = ""
    transport_mode: str = ""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class CaseSnapshot:
    """Everything about one case that could ever be exchanged, tagged by section."""

    reference: str
    crime_type: Literal["trafficking", "smuggling"]
    statistics: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    route: tuple[RouteStep, ...] = ()
    suspects: tuple[PersonRecord, ...] = ()
    victims: tuple[PersonRecord, ...] = ()
    provenance: Provenance | None = None  # set when the whole case came from a partner


@dataclass(frozen=True)
class Policy:
    """What an agreement allows for one package."""

    partner_country: str
    agreement: str
    categories: frozenset[Category]
    legal_basis: str = ""  # chosen by the sender from the agreement's legal bases, if any


@dataclass(frozen=True)
class Withheld:
    section: str
    record_id: str
    reason: str  # category_not_allowed | no_consent | onward_transfer_forbidden


@dataclass(frozen=True)
class BuiltContent:
    content: dict[str, Any]
    withheld: tuple[Withheld, ...]

    @property
    def categories(self) -> list[str]:
        return sorted(str(SECTION_CATEGORIES[s]) for s in self.content)


PERSON_FIELDS = (
    "record_id", "given_names", "first_surname", "second_surname", "sex", "birth_date",
    "nationality", "document_type", "document_number", "birth_place", "role_detail",
)


def _person_out(person: PersonRecord) -> dict[str, str]:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


def _route_out(step: RouteStep) -> dict[str, Any]:
    return {
        "position": step.position, "event_type": step.event_type, "country": step.country,
        "place": step.place, "date": step.date, "transport_mode": step.transport_mode,
    }


def build_content(snapshot: CaseSnapshot, policy: Policy) -> BuiltContent:
    """The part of `snapshot` that `policy` lets go to its partner, and what was held back."""
    if snapshot.provenance is not None and snapshot.provenance.forbids_transfer_to(policy.partner_country):
        raise OnwardTransferForbidden(
            _("This case was received from %(country)s under handling code %(code)s and cannot be sent to another country.")
            % {"country": snapshot.provenance.country, "code": snapshot.provenance.handling_code}
        )
    allowed = policy.categories
    content: dict[str, Any] = {}
    withheld: list[Withheld] = []

    def blocked(record: PersonRecord | RouteStep) -> bool:
        return record.provenance is not None and record.provenance.forbids_transfer_to(policy.partner_country)

    if Category.STATISTICS in allowed and snapshot.statistics:
        content["statistics"] = dict(snapshot.statistics)
    if Category.CASE_SUMMARY in allowed:
        content["case"] = {"reference": snapshot.reference, "crime_type": snapshot.crime_type, **snapshot.summary}
    if Category.ROUTE in allowed:
        steps = []
        for step in snapshot.route:
            if blocked(step):
                withheld.append(Withheld("route", str(step.position), "onward_transfer_forbidden"))
            else:
                steps.append(_route_out(step))
        if steps:
            content["route"] = steps
    elif snapshot.route:
        withheld.append(Withheld("route", "", "category_not_allowed"))

    for section, people in (("suspects", snapshot.suspects), ("victims", snapshot.victims)):
        if SECTION_CATEGORIES[section] not in allowed:
            withheld.extend(Withheld(section, p.record_id, "category_not_allowed") for p in people)
            continue
        chosen = []
        for person in people:
            if blocked(person):
                withheld.append(Withheld(section, person.record_id, "onward_transfer_forbidden"))
            elif (
                section == "victims"
                and not policy.legal_basis
                and policy.partner_country not in person.consented_countries
            ):
                withheld.append(Withheld(section, person.record_id, "no_consent"))
            else:
                chosen.append(_person_out(person))
        if chosen:
            content[section] = chosen
    # Belt and braces: whatever the code above does, no section outside the policy survives.
    content = {s: v for s, v in content.items() if SECTION_CATEGORIES.get(s) in allowed}
    return BuiltContent(content=content, withheld=tuple(withheld))


# --- the wire format (validated on the way out and on the way in) -------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonOut(_Strict):
    record_id: str = Field(max_length=100)
    given_names: str = Field("", max_length=200)
    first_surname: str = Field("", max_length=100)
    second_surname: str = Field("", max_length=100)
    sex: Literal["", "M", "F", "X"] = ""
    birth_date: str = Field("", pattern=r"^(\d{4}(-\d{2}-\d{2})?)?$")
    nationality: str = Field("", pattern=r"^([A-Z]{3})?$")
    document_type: str = Field("", max_length=40)
    document_number: str = Field("", max_length=40)
    birth_place: str = Field("", max_length=200)
    role_detail: str = Field("", max_length=40)


class RouteStepOut(_Strict):
    position: int = Field(ge=0, le=1000)
    event_type: str = Field(max_length=20)
    country: str = Field(pattern=r"^[A-Z]{3}$")
    place: str = Field("", max_length=200)
    date: str = Field("", pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")
    transport_mode: str = Field("", max_length=20)


class CaseSummaryOut(_Strict):
    reference: str = Field(max_length=40)
    crime_type: Literal["trafficking", "smuggling"]
    legal_article: str = Field("", max_length=20)
    status: str = Field("", max_length=20)
    reported_on: str = Field("", pattern=r"^(\d{4}-\d{2}-\d{2})?$")
    first_incident_on: str = Field("", pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")
    department: str = Field("", max_length=5)
    exploitation_forms: list[str] = Field(default_factory=list, max_length=30)
    victim_count: int = Field(0, ge=0, le=10_000)
    suspect_count: int = Field(0, ge=0, le=10_000)


class StatisticsOut(_Strict):
    year: int = Field(ge=1990, le=2100)
    crime_type: Literal["trafficking", "smuggling"]
    victims_by_sex_age: dict[Literal["women", "men", "girls", "boys", "unknown"], int] = Field(default_factory=dict)
    suspects: int = Field(0, ge=0, le=10_000)
    exploitation_forms: list[str] = Field(default_factory=list, max_length=30)


class ContentOut(_Strict):
    statistics: StatisticsOut | None = None
    case: CaseSummaryOut | None = None
    route: list[RouteStepOut] | None = Field(None, max_length=200)
    suspects: list[PersonOut] | None = Field(None, max_length=500)
    victims: list[PersonOut] | None = Field(None, max_length=500)


class MetadataOut(_Strict):
    format: Literal["alianza-exchange/1"]
    package_id: str = Field(pattern=r"^[0-9a-f-]{36}$")
    sending_node: str = Field(max_length=80)
    sending_country: str = Field(pattern=r"^[A-Z]{3}$")
    receiving_node: str = Field(max_length=80)
    agreement: str = Field(max_length=60)
    crime_type: Literal["trafficking", "smuggling"]
    purpose: str = Field(max_length=40)
    handling_code: Literal["H0", "H1", "H2", "H3"]
    source_grading: Literal["A", "B", "C", "X"]
    information_grading: Literal["1", "2", "3", "4"]
    categories: list[str] = Field(max_length=5)
    legal_basis: str = Field("", max_length=40)
    in_reply_to: str = Field("", max_length=80)
    created_at: datetime
    expires_at: datetime


class PackageOut(_Strict):
    metadata: MetadataOut
    content: ContentOut


def validate_package(document: Any) -> PackageOut:
    try:
        package = PackageOut.model_validate(document)
    except PydanticValidationError as exc:
        where = "; ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:5])
        raise PackageRejected(
            "schema_invalid", _("The package does not follow the exchange schema (%(where)s).") % {"where": where}
        ) from exc
    present = {s for s in SECTION_CATEGORIES if getattr(package.content, s) is not None}
    if sorted(str(SECTION_CATEGORIES[s]) for s in present) != sorted(package.metadata.categories):
        raise PackageRejected(
            "schema_invalid", _("The package's declared categories do not match its content.")
        )
    return package


# --- building and sealing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """The sender's side of one package."""

    sending_node: str
    sending_country: str
    receiving_node: str
    purpose: str
    handling_code: str
    source_grading: str
    information_grading: str
    valid_for: timedelta = timedelta(days=7)
    in_reply_to: str = ""


def package_document(
    built: BuiltContent,
    *,
    crime_type: str,
    policy: Policy,
    envelope: Envelope,
    package_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The complete, schema-valid package document (metadata and content)."""
    now = (now or datetime.now(tz=UTC)).astimezone(UTC).replace(microsecond=0)
    document = {
        "metadata": {
            "format": FORMAT,
            "package_id": package_id or str(uuid.uuid4()),
            "sending_node": envelope.sending_node,
            "sending_country": envelope.sending_country,
            "receiving_node": envelope.receiving_node,
            "agreement": policy.agreement,
            "crime_type": crime_type,
            "purpose": envelope.purpose,
            "handling_code": envelope.handling_code,
            "source_grading": envelope.source_grading,
            "information_grading": envelope.information_grading,
            "categories": built.categories,
            "legal_basis": policy.legal_basis if "victims" in built.content else "",
            "in_reply_to": envelope.in_reply_to,
            "created_at": now.isoformat(),
            "expires_at": (now + envelope.valid_for).isoformat(),
        },
        "content": built.content,
    }
    validate_package(document)  # never send what a partner would refuse as malformed
    return document


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def seal(document: dict[str, Any], *, signing_key: OKPKey, recipient_key: OKPKey, sending_node: str) -> str:
    """Sign `document` with our key, then encrypt it to the partner's. Returns a compact JWE."""
    signed = jws.serialize_compact(
        {"alg": SIGNING_ALG, "kid": signing_key.kid, "typ": PACKAGE_TYPE}, _canonical(document),
        signing_key, algorithms=[SIGNING_ALG],
    )
    header = {
        "alg": KEY_ALG, "enc": CONTENT_ENC, "kid": recipient_key.kid, "cty": "JWS", "iss": sending_node,
    }
    return jwe.encrypt_compact(header, signed.encode(), recipient_key, registry=_JWE_REGISTRY)


def package_digest(token: str | bytes) -> str:
    data = token.encode() if isinstance(token, str) else token
    return hashlib.sha256(data).hexdigest()


# --- opening and checking -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedPackage:
    package: PackageOut
    document: dict[str, Any]
    sending_node: str
    signing_kid: str
    digest: str
    size: int


def b64_json(segment: str) -> dict[str, Any]:
    """A base64url-encoded JSON object, such as a JOSE protected header."""
    padded = segment + "=" * (-len(segment) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def envelope_header(token: str) -> dict[str, Any]:
    """The JWE's protected header, read without decrypting (to learn the claimed sender)."""
    parts = token.split(".")
    if len(parts) != 5:
        raise PackageRejected("malformed", _("This is not a compact JWE (it must have five parts)."))
    try:
        header = b64_json(parts[0])
    except ValueError as exc:
        raise PackageRejected("malformed", _("The package's header cannot be read.")) from exc
    if header.get("alg") != KEY_ALG or header.get("enc") != CONTENT_ENC:
        raise PackageRejected(
            "malformed", _("The package must be encrypted with ECDH-ES and A256GCM.")
        )
    if not isinstance(header.get("iss"), str) or not header["iss"]:
        raise PackageRejected("malformed", _("The package does not name its sending node."))
    return header


SenderKeys = Callable[[str], Iterable[OKPKey]]


def open_package(
    token: str,
    *,
    receiving_node: str,
    decryption_key: Callable[[str | None], OKPKey | None],
    sender_keys: Callable[[str], Iterable[OKPKey] | None],
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: datetime | None = None,
) -> OpenedPackage:
    """Decrypt and verify a package, or raise `PackageRejected` saying why.

    `decryption_key(kid)` returns our private key with that key id; `sender_keys(node_id)`
    returns the sending node's valid public signing keys, or None when the node is unknown.
    """
    now = now or datetime.now(tz=UTC)
    size = len(token.encode()) if isinstance(token, str) else len(token)
    if size > max_bytes:
        raise PackageRejected(
            "oversize", _("The package is %(size)d bytes; the limit is %(limit)d.") % {"size": size, "limit": max_bytes},
            http_status=413,
        )
    token = token.strip()
    header = envelope_header(token)
    sending_node = header["iss"]
    signing_keys = sender_keys(sending_node)
    if signing_keys is None:
        raise PackageRejected(
            "unknown_partner", _("The node %(node)s is not a known partner.") % {"node": sending_node}
        )
    our_key = decryption_key(header.get("kid"))
    if our_key is None:
        raise PackageRejected(
            "unknown_recipient_key", _("The package is encrypted to a key this node does not have.")
        )
    try:
        plaintext = jwe.decrypt_compact(token, our_key, registry=_JWE_REGISTRY).plaintext
    except (JoseError, ValueError) as exc:
        raise PackageRejected(
            "decryption_failed", _("The package cannot be decrypted: it was altered or not encrypted to this node.")
        ) from exc
    if plaintext is None:
        raise PackageRejected("decryption_failed", _("The package is empty."))
    try:
        inner_header = b64_json(plaintext.decode("ascii").split(".")[0])
    except (ValueError, UnicodeDecodeError) as exc:
        raise PackageRejected("malformed", _("The package does not contain a JWS.")) from exc
    kid = str(inner_header.get("kid", ""))
    key = next((k for k in signing_keys if k.kid == kid), None)
    if key is None:
        raise PackageRejected(
            "signature_invalid",
            _("The package is signed with a key that %(node)s has not registered with us.") % {"node": sending_node},
        )
    try:
        verified = jws.deserialize_compact(plaintext, key, algorithms=VERIFY_ALGS)
    except (JoseError, ValueError) as exc:
        raise PackageRejected("signature_invalid", _("The package's signature is not valid.")) from exc
    try:
        document = json.loads(verified.payload)
    except ValueError as exc:
        raise PackageRejected("schema_invalid", _("The package content is not JSON.")) from exc
    package = validate_package(document)
    meta = package.metadata
    if meta.sending_node != sending_node:
        raise PackageRejected("signature_invalid", _("The package names a different sender inside and outside."))
    if meta.receiving_node != receiving_node:
        raise PackageRejected("wrong_recipient", _("The package is addressed to another node."))
    if meta.expires_at <= now:
        raise PackageRejected("expired", _("The package expired on %(at)s.") % {"at": meta.expires_at.isoformat()})
    if meta.created_at > now + CLOCK_SKEW:
        raise PackageRejected("not_yet_valid", _("The package claims to be created in the future; check the clocks."))
    return OpenedPackage(
        package=package, document=document, sending_node=sending_node, signing_kid=kid,
        digest=package_digest(token), size=size,
    )


# --- receipts ----------------------------------------------------------------------------------


def sign_receipt(
    *,
    package_id: str,
    digest: str,
    status: Literal["accepted", "rejected", "imported", "dismissed"],
    receiving_node: str,
    signing_key: OKPKey,
    reason: str = "",
    message: str = "",
    now: datetime | None = None,
) -> str:
    body = {
        "format": RECEIPT_FORMAT,
        "package_id": package_id,
        "package_digest": digest,
        "status": status,
        "reason": reason,
        "message": str(message),
        "receiving_node": receiving_node,
        "at": (now or datetime.now(tz=UTC)).astimezone(UTC).isoformat(),
    }
    return jws.serialize_compact(
        {"alg": SIGNING_ALG, "kid": signing_key.kid, "typ": RECEIPT_TYPE}, _canonical(body), signing_key,
        algorithms=[SIGNING_ALG],
    )


def verify_receipt(token: str, *, keys: Iterable[OKPKey]) -> dict[str, Any]:
    """The receipt's body if one of `keys` signed it; raises PackageRejected otherwise."""
    try:
        kid = b64_json(token.split(".")[0]).get("kid")
    except (ValueError, IndexError) as exc:
        raise PackageRejected("receipt_invalid", _("The receipt cannot be read.")) from exc
    key = next((k for k in keys if k.kid == kid), None)
    if key is None:
        raise PackageRejected("receipt_invalid", _("The receipt is signed with an unknown key."))
    try:
        body = json.loads(jws.deserialize_compact(token, key, algorithms=VERIFY_ALGS).payload)
    except (JoseError, ValueError) as exc:
        raise PackageRejected("receipt_invalid", _("The receipt's signature is not valid.")) from exc
    if not isinstance(body, dict) or body.get("format") != RECEIPT_FORMAT:
        raise PackageRejected("receipt_invalid", _("The receipt is not in the expected format."))
    return body


def snapshot_from_dict(data: dict[str, Any]) -> CaseSnapshot:
    """A `CaseSnapshot` from its JSON form (for `alianza exchange send --snapshot`, and tests)."""

    def provenance(value: dict[str, Any] | None) -> Provenance | None:
        return Provenance(**value) if value else None

    def person(value: dict[str, Any]) -> PersonRecord:
        value = dict(value)
        value["consented_countries"] = frozenset(value.get("consented_countries", ()))
        value["provenance"] = provenance(value.get("provenance"))
        return PersonRecord(**value)

    def step(value: dict[str, Any]) -> RouteStep:
        return RouteStep(**{**value, "provenance": provenance(value.get("provenance"))})

    try:
        return CaseSnapshot(
            reference=str(data["reference"]),
            crime_type=data["crime_type"],
            statistics=dict(data.get("statistics", {})),
            summary=dict(data.get("summary", {})),
            route=tuple(step(s) for s in data.get("route", ())),
            suspects=tuple(person(p) for p in data.get("suspects", ())),
            victims=tuple(person(p) for p in data.get("victims", ())),
            provenance=provenance(data.get("provenance")),
        )
    except (KeyError, TypeError) as exc:
        raise ApplicationError(_("The case snapshot is not valid: %(error)s") % {"error": exc}) from exc
