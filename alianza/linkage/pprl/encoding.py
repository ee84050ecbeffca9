"""Keyed Bloom-filter encodings of person records (cryptographic long-term keys, CLKs).

Each record becomes one 1024-bit filter. Every token of its normalised fields (bigrams of the
given names, of both surnames together, and of the document number; whole phonetic keys; birth
year, month and day; the whole birth place and nationality) sets k bits chosen by HMAC-SHA256
under a key derived from the shared secret and the field's name. Both surnames share one token
set, so swapped surnames encode alike; day and month also set an order-free token, so a
day/month swap keeps most of its bits.

Without the secret the bit positions cannot be recomputed, so a dictionary attack needs the key.
See docs/pprl.md for the security assumptions, the known attacks and the mitigations.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from alianza.linkage.engine.errors import InputDataError, LinkageError
from alianza.linkage.engine.features import prepare_features
from alianza.linkage.engine.schema import validate_person_frame

ENCODING_FORMAT = "alianza.pprl.clk"
# 2: birth place and nationality are encoded. Files of another version cannot be compared with
# this version's, so `read_encodings` refuses them.
ENCODING_VERSION = 2
FILTER_BITS = 1024
MIN_SECRET_BYTES = 16

# Bits set per token, by kind of token: the weight each field has in the similarity. Tuned on
# synthetic records (10% and 40% of them with a partner) for the smallest F1 loss against
# plaintext linkage: whole phonetic keys and the birth date weigh more than single bigrams,
# which typos break. A typical record fills about 25-30% of the filter.
BITS_PER_TOKEN: dict[str, int] = {
    "given": 8,  # bigrams of the given names
    "given_phonetic": 13,  # the first given name's Spanish phonetic key
    "surname": 4,  # bigrams of both surnames, as one set
    "surname_phonetic": 20,  # phonetic key of each surname
    "year": 42,
    "month": 11,
    "day": 8,
    "month_day": 34,  # the unordered pair {month, day}: survives a day/month swap
    "sex": 6,
    "document": 9,  # bigrams of the document number
    # Whole values: the plaintext model's strongest tie-breakers for records without a birth date
    # or a document (a namesake born elsewhere). Bigrams of the place did worse (docs/benchmarks.md).
    "birth_place": 24,
    "nationality": 6,
}


class PprlError(LinkageError):
    """Encoding or matching of privacy-preserving encodings failed."""


def read_secret(path: str | Path) -> bytes:
    """The shared secret from a key file (raw bytes; one trailing newline is ignored)."""
    try:
        secret = Path(path).read_bytes()
    except FileNotFoundError:
        raise PprlError(f"The secret file does not exist: {path}") from None
    secret = secret.removesuffix(b"\n").removesuffix(b"\r")
    if len(secret) < MIN_SECRET_BYTES:
        raise PprlError(
            f"The secret must have at least {MIN_SECRET_BYTES} bytes of random data "
            "(e.g. `openssl rand -hex 32 > KEY`)."
        )
    return secret


def key_id(secret: bytes) -> str:
    """A short public fingerprint of the secret, so both parties can check they share it."""
    return hmac.new(secret, b"alianza-pprl-key-id", hashlib.sha256).hexdigest()[:16]


def _bigrams(text: str) -> list[str]:
    padded = f"_{text}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def record_tokens(features: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(kind, token) pairs of one record's features (as `prepare_features` makes them)."""
    if features["given_full"]:
        for gram in _bigrams(features["given_full"]):
            yield "given", gram
    if features["given1_ph"]:
        yield "given_phonetic", features["given1_ph"]
    for surname_column, phonetic_column in (("sur1", "sur1_ph"), ("sur2", "sur2_ph")):
        if features[surname_column]:
            for gram in _bigrams(features[surname_column]):
                yield "surname", gram
        if features[phonetic_column]:
            yield "surname_phonetic", features[phonetic_column]
    if features["dob_y"]:
        yield "year", features["dob_y"]
    if features["dob_m"]:
        yield "month", features["dob_m"]
    if features["dob_d"]:
        yield "day", features["dob_d"]
    if features["dob_m"] and features["dob_d"]:
        yield "month_day", "-".join(sorted((features["dob_m"], features["dob_d"])))
    if features["sex"]:
        yield "sex", features["sex"]
    if features["doc"]:
        for gram in _bigrams(features["doc"]):
            yield "document", gram
    if features["birth_place"]:
        yield "birth_place", features["birth_place"]
    if features["nationality"]:
        yield "nationality", features["nationality"]


class ClkEncoder:
    """Encodes records under one secret. Token bit masks are cached: names repeat a lot."""

    def __init__(self, secret: bytes, *, bits: int = FILTER_BITS) -> None:
        if bits % 64 or bits > 4096:
            raise PprlError("The filter size must be a multiple of 64 bits, at most 4096.")
        self.bits = bits
        # One key per kind of token: the same bigram in a name and in a document sets
        # unrelated bits, which hides which field a bit pattern comes from.
        self._keys = {
            kind: hmac.new(secret, f"alianza-pprl-v1:{kind}".encode(), hashlib.sha256).digest()
            for kind in BITS_PER_TOKEN
        }
        self._cache: dict[tuple[str, str], int] = {}

    def _mask(self, kind: str, token: str) -> int:
        cached = self._cache.get((kind, token))
        if cached is not None:
            return cached
        # Independent positions from a keyed hash ("random hashing"), not double hashing,
        # whose arithmetic structure enables the pattern attacks described in docs/pprl.md.
        k = BITS_PER_TOKEN[kind]
        digest = b""
        counter = 0
        while len(digest) < 2 * k:
            digest += hmac.digest(self._keys[kind], f"{counter}:{token}".encode(), "sha256")
            counter += 1
        mask = 0
        for i in range(k):
            mask |= 1 << (int.from_bytes(digest[2 * i : 2 * i + 2], "big") % self.bits)
        self._cache[(kind, token)] = mask
        return mask

    def _group_mask(self, tokens: Iterable[tuple[str, str]]) -> int:
        value = 0
        for kind, token in tokens:
            value |= self._mask(kind, token)
        return value

    def encode_features(self, features: dict[str, Any]) -> bytes:
        """The filter of one record's features (as `prepare_features` makes them)."""
        value = self._group_mask(record_tokens(features))
        return value.to_bytes(self.bits // 8, "big")

    def encode_frame(self, features: pd.DataFrame) -> list[bytes]:
        """Filters of a whole feature table, field by field: each distinct value (a name, a
        date) is hashed once, then every record ORs its fields' cached masks together."""
        empty = dict.fromkeys(features.columns)
        groups = (
            ("given_full", "given1_ph"),
            ("sur1", "sur1_ph"),
            ("sur2", "sur2_ph"),
            ("dob_y", "dob_m", "dob_d"),
            ("sex",),
            ("doc",),
            ("birth_place",),
            ("nationality",),
        )
        masks = [0] * len(features)
        for columns in groups:
            values = list(zip(*(features[c].tolist() for c in columns), strict=True))
            cache: dict[tuple[Any, ...], int] = {}
            for index, value in enumerate(values):
                mask = cache.get(value)
                if mask is None:
                    partial = empty | dict(zip(columns, value, strict=True))
                    mask = cache[value] = self._group_mask(record_tokens(partial))
                masks[index] |= mask
        size = self.bits // 8
        return [mask.to_bytes(size, "big") for mask in masks]


@dataclass(frozen=True, slots=True)
class Encodings:
    """Encoded records: ids and filters (`n × bits/8` bytes), with the parameters used."""

    ids: list[str]
    filters: list[bytes]
    key_id: str
    bits: int = FILTER_BITS

    def header(self) -> dict[str, Any]:
        return {
            "format": ENCODING_FORMAT,
            "version": ENCODING_VERSION,
            "bits": self.bits,
            "key_id": self.key_id,
            "bits_per_token": BITS_PER_TOKEN,
            "records": len(self.ids),
        }


def encode_records(records: pd.DataFrame, *, secret: bytes) -> Encodings:
    """Encode canonical person records. Only record ids and filters come out: no plaintext."""
    records = validate_person_frame(records)
    features = prepare_features(records)
    encoder = ClkEncoder(secret)
    filters = encoder.encode_frame(features)
    return Encodings(ids=list(features["unique_id"]), filters=filters, key_id=key_id(secret))


def write_encodings(encodings: Encodings, handle: IO[str]) -> None:
    """JSON lines: a header line with the parameters, then {"id": ..., "clk": base64}."""
    handle.write(json.dumps(encodings.header()) + "\n")
    for record_id, clk in zip(encodings.ids, encodings.filters, strict=True):
        handle.write(json.dumps({"id": record_id, "clk": base64.b64encode(clk).decode()}) + "\n")


def read_encodings(lines: Iterable[str], *, label: str = "input") -> Encodings:
    """Read what `write_encodings` wrote, checking the format and every filter's size."""
    iterator = iter(lines)
    try:
        header = json.loads(next(iterator))
    except StopIteration:
        raise InputDataError(f"The {label} file is empty.") from None
    except json.JSONDecodeError:
        raise InputDataError(f"The {label} file is not a JSON-lines encoding file.") from None
    if not isinstance(header, dict) or header.get("format") != ENCODING_FORMAT:
        raise InputDataError(f"The {label} file is not an Alianza PPRL encoding file.")
    if header.get("version") != ENCODING_VERSION:
        raise InputDataError(
            f"The {label} file has encoding version {header.get('version')}; "
            f"this Alianza reads version {ENCODING_VERSION}. Encodings of different versions "
            "cannot be compared: both parties must encode again with the same Alianza version."
        )
    bits = int(header["bits"])
    ids: list[str] = []
    filters: list[bytes] = []
    for number, line in enumerate(iterator, start=2):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            clk = base64.b64decode(item["clk"], validate=True)
            ids.append(str(item["id"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise InputDataError(
                f"Line {number} of the {label} file is not a valid encoding."
            ) from None
        if len(clk) * 8 != bits:
            raise InputDataError(
                f"Line {number} of the {label} file has a filter of the wrong size."
            )
        filters.append(clk)
    if not ids:
        raise InputDataError(f"The {label} file has a header but no records.")
    return Encodings(ids=ids, filters=filters, key_id=str(header.get("key_id", "")), bits=bits)
