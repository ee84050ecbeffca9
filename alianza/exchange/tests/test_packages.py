"""The package library: policy filter, sealing, and every reason a package is refused."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from joserfc import jwe, jws

from alianza.accounts.authz import Category
from alianza.exchange import packages as p
from alianza.exchange.tests.fixtures import new_keys, public, typical_snapshot

BOL_SIG, BOL_ENC = new_keys()
PER_SIG, PER_ENC = new_keys()
ALL = frozenset(Category)
# A value from each category that must appear only when its category is allowed.
MARKERS = {
    Category.STATISTICS: '"victims_by_sex_age"',
    Category.CASE_SUMMARY: "BOL-2026-000042",
    Category.ROUTE: "Desaguadero",
    Category.SUSPECT_IDENTITY: "Rolando",
    Category.VICTIM_IDENTITY: "Ana Lucía",
}


def _policy(categories: frozenset[Category], country: str = "PER", legal_basis: str = "") -> p.Policy:
    return p.Policy(partner_country=country, agreement="BOL-PER-2006", categories=categories, legal_basis=legal_basis)


def _envelope(**overrides: object) -> p.Envelope:
    base = p.Envelope(
        sending_node="alianza-bol", sending_country="BOL", receiving_node="alianza-per",
        purpose="investigation", handling_code="H2", source_grading="B", information_grading="2",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def _document(categories: frozenset[Category] = ALL, **envelope: object) -> dict:
    built = p.build_content(typical_snapshot(), _policy(categories))
    return p.package_document(built, crime_type="trafficking", policy=_policy(categories), envelope=_envelope(**envelope))


def _open(token: str, **kwargs: object) -> p.OpenedPackage:
    options: dict = {
        "receiving_node": "alianza-per",
        "decryption_key": lambda kid: PER_ENC if kid == PER_ENC.kid else None,
        "sender_keys": lambda node: [public(BOL_SIG)] if node == "alianza-bol" else None,
    }
    options.update(kwargs)
    return p.open_package(token, **options)


def _seal(document: dict, *, signing_key=BOL_SIG, node: str = "alianza-bol") -> str:
    return p.seal(document, signing_key=signing_key, recipient_key=public(PER_ENC), sending_node=node)


@pytest.mark.parametrize("category", list(Category))
def test_only_allowed_categories_leave(category: Category) -> None:
    """For each category alone, its data leaves and no other category's does."""
    built = p.build_content(typical_snapshot(), _policy(frozenset({category})))
    text = json.dumps(built.content, ensure_ascii=False)
    for other, marker in MARKERS.items():
        assert (marker in text) == (other == category), (category, other)
    assert built.categories == [str(category)]


@pytest.mark.parametrize("category", list(Category))
def test_every_category_but_one_keeps_that_one_out(category: Category) -> None:
    built = p.build_content(typical_snapshot(), _policy(ALL - {category}))
    text = json.dumps(built.content, ensure_ascii=False)
    assert MARKERS[category] not in text
    assert str(category) not in built.categories


def test_victim_identity_needs_consent_for_that_partner_or_a_legal_basis() -> None:
    snapshot = typical_snapshot(consent=frozenset({"ARG"}))
    built = p.build_content(snapshot, _policy(ALL))
    assert "victims" not in built.content
    assert {w.reason for w in built.withheld if w.section == "victims"} == {"no_consent"}
    with_basis = p.build_content(snapshot, _policy(ALL, legal_basis="judicial_order"))
    assert len(with_basis.content["victims"]) == 2


def test_h2_record_from_peru_never_goes_to_argentina() -> None:
    from_peru = p.Provenance(country="PER", agreement="BOL-PER-2006", handling_code="H2", package_id="x")
    snapshot = typical_snapshot(consent=frozenset({"ARG", "PER"}), victim_provenance=from_peru)
    to_argentina = p.build_content(snapshot, _policy(ALL, country="ARG"))
    ids = [v["record_id"] for v in to_argentina.content["victims"]]
    assert ids == ["V-2"]
    assert p.Withheld("victims", "V-1", "onward_transfer_forbidden") in to_argentina.withheld
    back_to_peru = p.build_content(snapshot, _policy(ALL, country="PER"))
    assert [v["record_id"] for v in back_to_peru.content["victims"]] == ["V-1", "V-2"]
    whole_case = replace(snapshot, provenance=from_peru)
    with pytest.raises(p.OnwardTransferForbidden):
        p.build_content(whole_case, _policy(ALL, country="ARG"))


def test_h1_record_may_go_onward() -> None:
    h1 = p.Provenance(country="PER", agreement="BOL-PER-2006", handling_code="H1")
    snapshot = typical_snapshot(consent=frozenset({"ARG"}), victim_provenance=h1)
    assert len(p.build_content(snapshot, _policy(ALL, country="ARG")).content["victims"]) == 2


def test_round_trip_is_standard_jose() -> None:
    document = _document()
    token = _seal(document)
    opened = _open(token)
    assert opened.document == document
    assert opened.package.metadata.handling_code == "H2"
    assert opened.package.metadata.source_grading == "B"
    # Any JOSE library can open it: decrypt, then verify the inner JWS with the sender's key.
    inner = jwe.decrypt_compact(token, PER_ENC, registry=jwe.JWERegistry(strict_check_header=False))
    assert inner.protected["alg"] == "ECDH-ES" and inner.protected["enc"] == "A256GCM"
    signed = jws.deserialize_compact(inner.plaintext, public(BOL_SIG), algorithms=["EdDSA"])
    assert json.loads(signed.payload)["metadata"]["package_id"] == document["metadata"]["package_id"]


def _reason(token: str, **kwargs: object) -> str:
    with pytest.raises(p.PackageRejected) as caught:
        _open(token, **kwargs)
    return caught.value.reason


def test_tampered_ciphertext_is_refused() -> None:
    token = _seal(_document())
    parts = token.split(".")
    ciphertext = parts[3]
    flipped = ("A" if ciphertext[10] != "A" else "B")
    parts[3] = ciphertext[:10] + flipped + ciphertext[11:]
    assert _reason(".".join(parts)) == "decryption_failed"


def test_wrong_signing_key_is_refused() -> None:
    impostor, _ = new_keys()
    assert _reason(_seal(_document(), signing_key=impostor)) == "signature_invalid"
    # Same key id as the real key, different key: the signature itself fails.
    impostor_same_kid = p.OKPKey.import_key({**impostor.as_dict(private=True), "kid": BOL_SIG.kid})
    assert _reason(_seal(_document(), signing_key=impostor_same_kid)) == "signature_invalid"


def test_unknown_partner_is_refused() -> None:
    assert _reason(_seal(_document(sending_node="alianza-xyz"), node="alianza-xyz")) == "unknown_partner"


def test_expired_package_is_refused() -> None:
    token = _seal(_document(valid_for=timedelta(hours=1)))
    assert _reason(token, now=datetime.now(tz=UTC) + timedelta(hours=2)) == "expired"


def test_schema_violation_is_refused() -> None:
    document = _document()
    document["content"]["victims"][0]["favourite_colour"] = "blue"
    assert _reason(_seal(document)) == "schema_invalid"
    undeclared = _document()
    undeclared["metadata"]["categories"] = ["statistics"]
    assert _reason(_seal(undeclared)) == "schema_invalid"


def test_oversize_package_is_refused() -> None:
    token = _seal(_document())
    assert _reason(token, max_bytes=len(token) - 1) == "oversize"


def test_package_for_another_node_is_refused() -> None:
    assert _reason(_seal(_document(receiving_node="alianza-arg"))) == "wrong_recipient"


def test_garbage_is_refused() -> None:
    assert _reason("not.a.package") == "malformed"
    assert _reason("a.b.c.d.e") == "malformed"


def test_building_refuses_what_the_schema_refuses() -> None:
    with pytest.raises(p.PackageRejected):
        _document(handling_code="H9")


def test_receipt_is_signed_and_bound_to_the_package() -> None:
    token = _seal(_document())
    receipt = p.sign_receipt(
        package_id="abc", digest=p.package_digest(token), status="accepted",
        receiving_node="alianza-per", signing_key=PER_SIG,
    )
    body = p.verify_receipt(receipt, keys=[public(PER_SIG)])
    assert body["package_digest"] == p.package_digest(token) and body["status"] == "accepted"
    with pytest.raises(p.PackageRejected):
        p.verify_receipt(receipt, keys=[public(BOL_SIG)])
