"""Privacy-preserving record linkage between countries: keyed Bloom-filter encodings.

Each side encodes its records with a secret shared under the agreement (`encode_records`) and
sends only the encodings; `match_encodings` compares encodings without ever seeing a name.
Disclosure of a matched identity then goes through a normal exchange request. Django-free.
"""

from alianza.linkage.pprl.encoding import (
    Encodings,
    PprlError,
    encode_records,
    key_id,
    read_encodings,
    read_secret,
    write_encodings,
)
from alianza.linkage.pprl.matching import DEFAULT_THRESHOLD, match_encodings

__all__ = [
    "DEFAULT_THRESHOLD",
    "Encodings",
    "PprlError",
    "encode_records",
    "key_id",
    "match_encodings",
    "read_encodings",
    "read_secret",
    "write_encodings",
]
