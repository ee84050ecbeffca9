"""`alianza pprl`: privacy-preserving matching with keyed Bloom-filter encodings.

    alianza pprl encode INPUT.csv --secret-file KEY --out OUT.jsonl
    alianza pprl match A.jsonl B.jsonl --out PAIRS.csv [--threshold SCORE]

`encode` writes only record ids and encodings (no names, dates or documents); `match` writes
the same header as `alianza link match`. See docs/pprl.md before using it with a partner.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from alianza.linkage.engine import InputDataError, LinkageError, read_person_csv
from alianza.linkage.management.commands._common import write_csv
from alianza.linkage.pprl import (
    Encodings,
    encode_records,
    match_encodings,
    read_encodings,
    read_secret,
    write_encodings,
)
from alianza.linkage.pprl.matching import CHUNK_SIZE, chunk_count


def similarity(text: str) -> float:
    """An argparse type: a similarity in (0, 1]."""
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise ValueError(text)
    return value


def _read(path: str, label: str) -> Encodings:
    try:
        if path == "-":
            return read_encodings(sys.stdin, label=label)
        with open(path, encoding="utf-8") as handle:
            return read_encodings(handle, label=label)
    except FileNotFoundError:
        raise InputDataError(f"The {label} file does not exist: {path}") from None
    except UnicodeDecodeError:
        raise InputDataError(f"The {label} file is not UTF-8 text.") from None


class Command(BaseCommand):
    # Linkage reads files and writes files; it needs neither the database nor the URL
    # configuration, so the system checks would only slow it down.
    requires_system_checks: list[str] = []
    help = "Encode person records as keyed Bloom filters, or match two encoded files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        encode = actions.add_parser("encode", help="encode a person-record CSV (no plaintext out)")
        encode.add_argument("input", help="person-record CSV, or - for stdin")
        encode.add_argument("--secret-file", required=True, help="file with the shared secret")
        encode.add_argument("--out", required=True, help="JSON-lines output, or - for stdout")

        match = actions.add_parser("match", help="match two encoded files (left_id,right_id,...)")
        match.add_argument("left")
        match.add_argument("right")
        match.add_argument("--out", required=True, help="output CSV, or - for stdout")
        match.add_argument(
            "--threshold",
            type=similarity,
            default=None,
            help="score (density-adjusted Tversky similarity, docs/pprl.md) at or above which a "
            "pair matches (default: the number of links is estimated from the two files)",
        )
        match.add_argument(
            "--many-to-many",
            action="store_true",
            help="keep every pair above the threshold instead of the best one-to-one pairs",
        )
        match.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "encode":
                self._encode(options)
            else:
                self._match(options)
        except LinkageError as exc:
            raise CommandError(exc.message) from None

    def _encode(self, options: dict[str, Any]) -> None:
        secret = read_secret(options["secret_file"])
        encodings = encode_records(read_person_csv(options["input"]), secret=secret)
        out = options["out"]
        if out == "-":
            write_encodings(encodings, sys.stdout)
        else:
            partial = Path(out + ".partial")
            with open(partial, "w", encoding="utf-8") as handle:
                write_encodings(encodings, handle)
            partial.replace(out)
        self.stderr.write(f"{len(encodings.ids)} records encoded (key id {encodings.key_id})")

    def _match(self, options: dict[str, Any]) -> None:
        left = _read(options["left"], "left")
        right = _read(options["right"], "right")
        with tqdm(
            total=chunk_count(len(left.ids), len(right.ids), CHUNK_SIZE),
            desc="comparing",
            unit="chunk",
            file=sys.stderr,
            disable=options["no_progress"],
            leave=False,
        ) as bar:

            def advance(chunks: int) -> None:
                bar.update(chunks)

            pairs = match_encodings(
                left,
                right,
                threshold=options["threshold"],
                one_to_one=not options["many_to_many"],
                progress=advance,
            )
        write_csv(pairs, options["out"])
        self.stderr.write(f"{len(left.ids)} × {len(right.ids)} encodings, {len(pairs)} matches")
