"""Identity documents, normalised per type and issuing country.

* Bolivian CI: 4 to 10 digits, an optional complement ("-1B", given when two people were issued
  the same number) and the department of issue (LP, CB, SC, OR, PT, TJ, CH, BE, PD), written in
  many ways: "1234567-1B LP", "1234567 L.P.", "CI 1234567 Exp. LP".
* Peruvian DNI (8 digits) and Argentine DNI (7 or 8), often written with dots: "12.345.678".
* Brazilian CPF: 11 digits with two check digits, often written "000.000.000-00".
* Paraguayan CI (digits, with or without dots) and Chilean RUN/RUT (digits and a check character).
* Passports: letters and digits, upper case, without spaces.

`DocumentNumber.match_key` is what linkage compares: the bare number, without complement or
department, which are the parts most often left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from alianza.normalize.countries import normalize_country
from alianza.normalize.errors import NormalizationError
from alianza.normalize.names import fold


class DocumentType(StrEnum):
    CI = "CI"  # cédula / carnet de identidad (Bolivia, Paraguay, Chile, ...)
    DNI = "DNI"  # documento nacional de identidad (Peru, Argentina, Spain)
    CPF = "CPF"  # Brazilian taxpayer number, the de-facto personal identifier
    PASSPORT = "PASSPORT"
    OTHER = "OTHER"


_TYPE_ALIASES: dict[str, DocumentType] = {
    "ci": DocumentType.CI,
    "c i": DocumentType.CI,
    "cedula": DocumentType.CI,
    "cedula de identidad": DocumentType.CI,
    "carnet": DocumentType.CI,
    "carnet de identidad": DocumentType.CI,
    "carne de identidad": DocumentType.CI,
    "run": DocumentType.CI,
    "rut": DocumentType.CI,
    "dni": DocumentType.DNI,
    "d n i": DocumentType.DNI,
    "documento nacional de identidad": DocumentType.DNI,
    "cpf": DocumentType.CPF,
    "c p f": DocumentType.CPF,
    "passport": DocumentType.PASSPORT,
    "pasaporte": DocumentType.PASSPORT,
    "passaporte": DocumentType.PASSPORT,
    "pas": DocumentType.PASSPORT,
    "pp": DocumentType.PASSPORT,
    "other": DocumentType.OTHER,
    "otro": DocumentType.OTHER,
}

# The national identity document of each country, used when the type is not given.
_DEFAULT_TYPE = {
    "BOL": DocumentType.CI,
    "PRY": DocumentType.CI,
    "CHL": DocumentType.CI,
    "ECU": DocumentType.CI,
    "URY": DocumentType.CI,
    "VEN": DocumentType.CI,
    "PER": DocumentType.DNI,
    "ARG": DocumentType.DNI,
    "ESP": DocumentType.DNI,
    "BRA": DocumentType.CPF,
}

BOLIVIAN_DEPARTMENTS = ("LP", "CB", "SC", "OR", "PT", "TJ", "CH", "BE", "PD")
# Other spellings of the department of issue seen on forms.
_DEPARTMENT_ALIASES = {"BN": "BE", "PA": "PD", "PND": "PD", "COCH": "CB", "SCZ": "SC", "LPZ": "LP"}
_DEPARTMENT_RE = re.compile(
    r"(?<![A-Z])(" + "|".join([*BOLIVIAN_DEPARTMENTS, *_DEPARTMENT_ALIASES]) + r")(?![A-Z])"
)
_BOLIVIAN_CI_RE = re.compile(r"^(\d{4,10})(?:-?([0-9][A-Z]|[A-Z][0-9]))?$")
_EXPEDITED_RE = re.compile(r"\bEXP\b\.?|\bEXPEDIDO\b( EN)?")
_PREFIX_RE = re.compile(r"^(C\.?\s?I\.?|CI|DNI|D\.N\.I\.?|CPF|RUT|RUN|NO\.?|N[º°])[\s:.#-]*")


def normalize_document_type(value: str) -> DocumentType:
    """The document type from the many ways forms write it ("C.I.", "Cédula", "pasaporte")."""
    key = fold(value)
    if not key:
        raise NormalizationError("The document type is empty.", field="document_type")
    for candidate in (key, key.replace(" ", "")):
        if candidate in _TYPE_ALIASES:
            return _TYPE_ALIASES[candidate]
    try:
        return DocumentType(value.strip().upper())
    except ValueError:
        raise NormalizationError(
            "Unknown document type; use CI, DNI, CPF, PASSPORT or OTHER.", field="document_type"
        ) from None


@dataclass(frozen=True, slots=True)
class DocumentNumber:
    """A normalised identity document."""

    type: DocumentType
    country: str | None  # ISO 3166-1 alpha-3 of the issuing country, when known
    number: str
    complement: str | None = None
    extension: str | None = None  # Bolivian department of issue

    @property
    def match_key(self) -> str:
        return self.number

    @property
    def formatted(self) -> str:
        """The conventional written form, e.g. "1234567-1B LP" or "123.456.789-09"."""
        if self.type is DocumentType.CPF:
            n = self.number
            return f"{n[:3]}.{n[3:6]}.{n[6:9]}-{n[9:]}"
        text = self.number
        if self.complement:
            text += f"-{self.complement}"
        if self.extension:
            text += f" {self.extension}"
        return text


def _error(message: str) -> NormalizationError:
    return NormalizationError(message, field="document_number")


def cpf_check_digits(first_nine: str) -> str:
    """The two check digits of a CPF, from its first nine digits (modulo-11 scheme)."""
    digits = first_nine[:9]
    for length in (9, 10):
        weights = range(length + 1, 1, -1)
        total = sum(int(d) * w for d, w in zip(digits[:length], weights, strict=True))
        remainder = (total * 10) % 11
        digits += str(0 if remainder == 10 else remainder)
    return digits[9:]


def _bolivian_ci(text: str) -> tuple[str, str | None, str | None]:
    extension = None
    match = _DEPARTMENT_RE.search(text)
    if match:
        extension = _DEPARTMENT_ALIASES.get(match.group(1), match.group(1))
        text = text[: match.start()] + text[match.end() :]
    text = _EXPEDITED_RE.sub(" ", text)
    text = re.sub(r"[\s.]+", "", text)
    found = _BOLIVIAN_CI_RE.match(text)
    if not found:
        raise _error(
            "A Bolivian CI is 4 to 10 digits, optionally followed by a complement such as "
            "'-1B' and the department of issue (LP, CB, SC, OR, PT, TJ, CH, BE, PD)."
        )
    return found.group(1), found.group(2), extension


def normalize_document(
    number: str, *, document_type: str | DocumentType | None = None, country: str | None = None
) -> DocumentNumber:
    """Normalise a document number for its type and issuing country.

    Without a type, the country's national document is assumed; without either, the shape of
    the number decides (a department extension means a Bolivian CI, 11 digits in CPF layout a
    CPF), falling back to an upper-case alphanumeric code of type OTHER.
    """
    raw = " ".join(number.upper().split())
    if not raw:
        raise _error("The document number is empty.")
    alpha3 = normalize_country(country) if country else None
    if isinstance(document_type, DocumentType):
        doc_type: DocumentType | None = document_type
    elif document_type and document_type.strip():
        doc_type = normalize_document_type(document_type)
    else:
        doc_type = _DEFAULT_TYPE.get(alpha3 or "")
    # "L.P." and "C.I." are written with dots between the letters.
    raw = re.sub(r"(?<![A-Z])([A-Z])\.\s?([A-Z])\.?(?![A-Z])", r"\1\2", raw)
    text = _PREFIX_RE.sub("", raw).strip()
    if doc_type is None:
        if re.fullmatch(r"\d{3}\.\d{3}\.\d{3}-\d{2}", text):
            doc_type, alpha3 = DocumentType.CPF, "BRA"
        elif (_DEPARTMENT_RE.search(text) and re.search(r"\d{4}", text)) or re.fullmatch(
            r"\d{4,10}-[0-9][A-Z]", text
        ):
            doc_type, alpha3 = DocumentType.CI, "BOL"
        else:
            doc_type = DocumentType.OTHER

    # A department of issue marks a Bolivian CI even when the record's country says otherwise:
    # the nationality field is often the country where the record was made.
    bolivian_shape = bool(_DEPARTMENT_RE.search(text)) or (
        alpha3 is None and re.search(r"\d-[0-9][A-Z]$", text) is not None
    )
    if doc_type is DocumentType.CI and (alpha3 == "BOL" or bolivian_shape):
        core, complement, extension = _bolivian_ci(text)
        return DocumentNumber(doc_type, "BOL", core, complement, extension)

    if doc_type is DocumentType.CPF:
        digits = re.sub(r"[\s.\-/]", "", text)
        if not re.fullmatch(r"\d{11}", digits):
            raise _error("A CPF has 11 digits, written 000.000.000-00 or without punctuation.")
        if len(set(digits)) == 1 or cpf_check_digits(digits[:9]) != digits[9:]:
            raise _error("This CPF's check digits are wrong; check the number for a typo.")
        return DocumentNumber(doc_type, "BRA", digits)

    if doc_type is DocumentType.DNI:
        digits = re.sub(r"[\s.]", "", text)
        if alpha3 == "PER":
            # The card also prints a check character after a hyphen; it is not part of the number.
            digits = re.sub(r"-[0-9A-Z]$", "", digits)
            if not re.fullmatch(r"\d{8}", digits):
                raise _error("A Peruvian DNI has 8 digits.")
        elif alpha3 == "ESP":
            if not re.fullmatch(r"\d{8}-?[A-Z]", digits):
                raise _error("A Spanish DNI has 8 digits and a letter.")
            digits = digits.replace("-", "")
        elif not re.fullmatch(r"\d{7,8}", digits):
            raise _error("A DNI has 7 or 8 digits, written with or without dots.")
        return DocumentNumber(doc_type, alpha3, digits)

    if doc_type is DocumentType.CI and alpha3 == "CHL":
        compact = re.sub(r"[\s.]", "", text)
        found = re.fullmatch(r"(\d{7,8})-?([0-9K])", compact)
        if not found:
            raise _error("A Chilean RUN has 7 or 8 digits and a check digit or K: 12.345.678-5.")
        return DocumentNumber(doc_type, alpha3, found.group(1), complement=found.group(2))

    if doc_type is DocumentType.CI:
        digits = re.sub(r"[\s.\-]", "", text)
        if not re.fullmatch(r"\d{4,12}", digits):
            raise _error("An identity card number has 4 to 12 digits, with or without dots.")
        return DocumentNumber(doc_type, alpha3, digits)

    code = re.sub(r"[\s.\-/]", "", text)
    if doc_type is DocumentType.PASSPORT:
        if not re.fullmatch(r"[A-Z0-9]{5,12}", code):
            raise _error("A passport number has 5 to 12 letters and digits.")
    elif not re.fullmatch(r"[A-Z0-9]{3,20}", code):
        raise _error("A document number has 3 to 20 letters and digits.")
    return DocumentNumber(doc_type, alpha3, code)


_PLAIN_DIGITS = re.compile(r"\d{4,15}")
_DOTTED_DIGITS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_CI_WITH_DEPARTMENT = re.compile(
    r"(\d{4,10})\s+(?:EXP\.?\s*)?(?:" + "|".join(BOLIVIAN_DEPARTMENTS) + r")"
)


@lru_cache(maxsize=4096)
def _type_or_none(document_type: str | None) -> DocumentType | None:
    if not document_type or not document_type.strip():
        return None
    try:
        return normalize_document_type(document_type)
    except NormalizationError:
        return DocumentType.OTHER


@lru_cache(maxsize=4096)
def _country_or_none(country: str | None) -> str | None:
    if not country or not country.strip():
        return None
    try:
        return normalize_country(country)
    except NormalizationError:
        return None


def document_match_key(
    number: str | None, *, document_type: str | None = None, country: str | None = None
) -> str | None:
    """Linkage's tolerant key: the normalised number, or its bare letters and digits.

    A number with a typo must still be compared with its correct twin, so a number the strict
    normaliser rejects (a CPF with a wrong check digit, say) keeps its alphanumeric core.
    The common shapes (plain digits, digits with thousands dots, a Bolivian CI with its
    department) take a fast path that gives the same key; linkage calls this a million times.
    """
    if not number:
        return None
    text = number.strip().upper()
    if not text:
        return None
    doc_type = _type_or_none(document_type)
    alpha3 = _country_or_none(country)
    if alpha3 != "CHL" and _PLAIN_DIGITS.fullmatch(text):
        return text  # a Chilean RUN's last digit is its check digit, not part of the number
    if _DOTTED_DIGITS.fullmatch(text):
        return text.replace(".", "")
    if doc_type not in (DocumentType.PASSPORT, DocumentType.OTHER):
        found = _CI_WITH_DEPARTMENT.fullmatch(text)
        if found:
            return found.group(1)
    try:
        return normalize_document(number, document_type=doc_type, country=alpha3).match_key
    except NormalizationError:
        text = _PREFIX_RE.sub("", text)
        text = _EXPEDITED_RE.sub(" ", _DEPARTMENT_RE.sub("", text))
        core = re.sub(r"[^A-Z0-9]", "", text)
        return core or None
