"""The one registry of value normalisers: names, identity documents, dates, countries, phones.

Forms, spreadsheet imports, exchange packages and linkage all call these functions, so that a
value is cleaned the same way wherever it enters the platform. The package is Django-free.
Every normaliser raises `NormalizationError` (a `ValueError`) with a message a user can act on.
"""

from alianza.normalize.countries import normalize_country
from alianza.normalize.dates import PartialDate, normalize_date
from alianza.normalize.documents import DocumentNumber, normalize_document, normalize_document_type
from alianza.normalize.errors import NormalizationError
from alianza.normalize.names import (
    PersonName,
    fold,
    normalize_given_names,
    normalize_surname,
    spanish_phonetic,
    split_full_name,
)
from alianza.normalize.phones import normalize_phone

__all__ = [
    "DocumentNumber",
    "NormalizationError",
    "PartialDate",
    "PersonName",
    "fold",
    "normalize_country",
    "normalize_date",
    "normalize_document",
    "normalize_document_type",
    "normalize_given_names",
    "normalize_phone",
    "normalize_surname",
    "spanish_phonetic",
    "split_full_name",
]
