from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alianza.normalize import NormalizationError, normalize_document, normalize_document_type
from alianza.normalize.documents import DocumentType, cpf_check_digits, document_match_key


@pytest.mark.parametrize(
    "written",
    ["1234567-1B LP", "1234567 1B L.P.", "CI 1234567-1B Exp. LP", "c.i. 1234567-1b lp"],
)
def test_bolivian_ci_with_complement_and_extension(written: str) -> None:
    doc = normalize_document(written, country="BOL")
    assert (doc.type, doc.country, doc.number, doc.complement, doc.extension) == (
        DocumentType.CI,
        "BOL",
        "1234567",
        "1B",
        "LP",
    )
    assert doc.formatted == "1234567-1B LP"


def test_bolivian_ci_is_recognised_by_its_department_even_without_country() -> None:
    doc = normalize_document("4567890 S.C.")
    assert doc.country == "BOL" and doc.extension == "SC" and doc.match_key == "4567890"


def test_the_match_key_drops_complement_and_department() -> None:
    keys = {
        document_match_key("1234567-1B LP", document_type="CI", country="BOL"),
        document_match_key("1234567", document_type="carnet", country="Bolivia"),
        document_match_key("1234567 CB", document_type="", country="BRA"),
    }
    assert keys == {"1234567"}


@pytest.mark.parametrize(("written", "country"), [("12.345.678", "ARG"), ("12345678", "PER")])
def test_dni_with_or_without_dots(written: str, country: str) -> None:
    doc = normalize_document(written, document_type="DNI", country=country)
    assert doc.number == "12345678"


def test_peruvian_dni_must_have_eight_digits() -> None:
    with pytest.raises(NormalizationError, match="8 digits"):
        normalize_document("1234567", document_type="DNI", country="PER")


def testcpf_check_digits_are_verified() -> None:
    assert normalize_document("123.456.789-09").number == "12345678909"
    with pytest.raises(NormalizationError, match="check digits"):
        normalize_document("123.456.789-00", document_type="CPF")
    with pytest.raises(NormalizationError):
        normalize_document("111.111.111-11", document_type="CPF")
    # The linkage key keeps a mistyped CPF comparable with its correct twin.
    assert document_match_key("123.456.789-00", document_type="CPF") == "12345678900"


@given(st.integers(min_value=0, max_value=999_999_999))
def test_generated_cpfs_validate_in_any_layout(base: int) -> None:
    digits = f"{base:09d}"
    cpf = digits + cpf_check_digits(digits)
    if len(set(cpf)) == 1:
        return
    formatted = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    assert normalize_document(formatted).number == cpf
    assert normalize_document(cpf, document_type="CPF").formatted == formatted


def test_paraguayan_ci_chilean_run_and_passport() -> None:
    assert normalize_document("4.567.890", country="PRY").number == "4567890"
    run = normalize_document("12.345.678-k", document_type="RUN", country="CHL")
    assert (run.number, run.complement) == ("12345678", "K")
    assert normalize_document("ab 12-3456", document_type="pasaporte").number == "AB123456"


@pytest.mark.parametrize(
    ("written", "expected"),
    [("C.I.", "CI"), ("Cédula de identidad", "CI"), ("pasaporte", "PASSPORT"), ("dni", "DNI")],
)
def test_document_type_aliases(written: str, expected: str) -> None:
    assert normalize_document_type(written) == DocumentType(expected)


def test_unknown_document_type_and_empty_number_are_errors() -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_document_type("libreta")
    assert info.value.field == "document_type"
    with pytest.raises(NormalizationError):
        normalize_document("  ")
