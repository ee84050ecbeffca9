"""Privacy-preserving matching: encodings carry no plaintext and match like plaintext."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from alianza.linkage.engine import CANONICAL_COLUMNS, InputDataError
from alianza.linkage.engine.features import prepare_features
from alianza.linkage.engine.metrics import score_pairs
from alianza.linkage.pprl import (
    PprlError,
    encode_records,
    match_encodings,
    read_encodings,
    read_secret,
    write_encodings,
)
from alianza.linkage.pprl.encoding import ClkEncoder

SECRET = b"test secret, 32 bytes long......"


def test_encodings_hold_no_plaintext_and_a_moderate_fill(match_tables) -> None:  # type: ignore[no-untyped-def]
    left, _ = match_tables
    encodings = encode_records(left.drop(columns="person_id"), secret=SECRET)
    buffer = io.StringIO()
    write_encodings(encodings, buffer)
    text = buffer.getvalue().lower()
    for value in ("mamani", "quispe", "condori", left["birth_date"].iloc[0]):
        assert value and value.lower() not in text
    fills = [int.from_bytes(f, "big").bit_count() / 1024 for f in encodings.filters]
    assert 0.1 < sum(fills) / len(fills) < 0.45  # far from the ~60% that makes all pairs alike


def test_the_frame_encoder_equals_the_record_encoder(match_tables) -> None:  # type: ignore[no-untyped-def]
    left, _ = match_tables
    features = prepare_features(left.drop(columns="person_id").head(200))
    encoder = ClkEncoder(SECRET)
    by_record = [encoder.encode_features(row) for row in features.to_dict("records")]
    assert encoder.encode_frame(features) == by_record


def test_a_different_secret_gives_unrelated_filters(match_tables) -> None:  # type: ignore[no-untyped-def]
    left, _ = match_tables
    records = left.drop(columns="person_id").head(50)
    one = encode_records(records, secret=SECRET)
    other = encode_records(records, secret=b"another secret of 32 bytes......")
    assert one.key_id != other.key_id
    with pytest.raises(PprlError, match="different secrets"):
        match_encodings(one, other)


def test_pprl_matches_nearly_as_well_as_plaintext(match_tables) -> None:  # type: ignore[no-untyped-def]
    left, right = match_tables
    a = encode_records(left.drop(columns="person_id"), secret=SECRET)
    b = encode_records(right.drop(columns="person_id"), secret=SECRET)
    pairs = match_encodings(a, b)
    assert list(pairs.columns) == ["left_id", "right_id", "match_probability"]
    assert (pairs["match_probability"] >= 0.5).all()
    assert not pairs["left_id"].duplicated().any() and not pairs["right_id"].duplicated().any()
    scores = score_pairs(pairs, left, right)
    assert scores.f1 >= 0.88, scores
    # Many-to-many keeps what one-to-one keeps and may add pairs that share a record.
    many = match_encodings(a, b, one_to_one=False)
    assert (many["match_probability"] >= 0.5).all()
    assert score_pairs(many, left, right).recall >= scores.recall - 0.02
    # A fixed threshold on the score: a stricter one keeps a subset.
    loose, strict = match_encodings(a, b, threshold=0.7), match_encodings(a, b, threshold=0.8)
    assert set(strict["left_id"] + strict["right_id"]) <= set(loose["left_id"] + loose["right_id"])
    assert len(strict) < len(loose)


def test_density_lowers_pairs_of_records_with_many_look_alikes() -> None:
    import numpy as np

    from alianza.linkage.pprl.matching import density_adjusted

    # Left record 0 resembles ten right records (a common name); left record 1 only one.
    rows = np.array([0] * 10 + [1])
    cols = np.arange(11)
    sims = np.full(11, 0.7)
    adjusted = density_adjusted(sims, rows, cols, n_left=2, n_right=11)
    assert adjusted[-1] > 0.7 > adjusted[0]
    assert adjusted.mean() == pytest.approx(0.7)  # the average pair keeps its Dice
    stronger = density_adjusted(sims, rows, cols, n_left=2, n_right=11, weight=0.02)
    assert stronger[-1] - 0.7 == pytest.approx(2 * (adjusted[-1] - 0.7))


def test_a_field_missing_on_one_side_costs_less_than_one_that_disagrees() -> None:
    import numpy as np

    from alianza.linkage.pprl.matching import tversky

    # Pair 0: 200 shared bits, the left filter has 80 more (a document the right lacks).
    # Pair 1: 200 shared bits, 40 more on each side (documents that disagree).
    # Both have Dice 400/480; the score keeps the first well above the second.
    left_bits = np.array([280.0, 240.0])
    right_bits = np.array([200.0, 240.0])
    rows = cols = np.array([0, 1])
    sims = 2 * 200 / (left_bits + right_bits)
    assert sims[0] == pytest.approx(sims[1])
    scores = tversky(sims, rows, cols, left_bits=left_bits, right_bits=right_bits)
    assert scores[0] > scores[1] + 0.04
    assert scores[1] == pytest.approx(sims[1])  # equal fills: the score is the Dice
    plain_dice = tversky(
        sims, rows, cols, left_bits=left_bits, right_bits=right_bits, fuller_weight=0.5
    )
    assert plain_dice == pytest.approx(sims)


def test_one_to_one_stops_at_its_limit_best_first() -> None:
    import numpy as np

    from alianza.linkage.pprl.matching import _one_to_one

    sims = np.array([0.9, 0.95, 0.8, 0.7])
    rows = np.array([0, 0, 1, 2])
    cols = np.array([0, 1, 1, 2])
    assert _one_to_one(sims, rows, cols) == [1, 3]  # pair 0 and 2 lose their record to pair 1
    assert _one_to_one(sims, rows, cols, limit=1) == [1]


def test_a_missing_document_does_not_lose_the_match() -> None:
    """The same person, the document on one side only, among people who share her surnames."""
    import random

    from alianza.linkage.engine import synth

    rng = random.Random(5)
    people = synth.generate_people(400, seed=5)
    left = pd.DataFrame(
        [synth.person_record(rng, p, f"a{i}", messy=False) for i, p in enumerate(people)]
    )
    right = left.copy()
    right["record_id"] = [f"b{i}" for i in range(len(right))]
    right["document_type"] = ""
    right["document_number"] = ""
    right["given_names"] = right["given_names"].str.split().str[0]  # a cut compound name
    a = encode_records(left[list(CANONICAL_COLUMNS)], secret=SECRET)
    b = encode_records(right[list(CANONICAL_COLUMNS)], secret=SECRET)
    pairs = match_encodings(a, b)
    found = set(zip(pairs["left_id"], pairs["right_id"], strict=True))
    truth = {(f"a{i}", f"b{i}") for i in range(len(left))}
    assert len(found & truth) >= 0.97 * len(truth)
    assert len(found - truth) <= 0.02 * len(truth)


def test_birth_place_and_nationality_tell_namesakes_apart() -> None:
    """Two records with the same names and no birth date or document: agreeing on where the
    person was born and on the nationality must bring the filters closer than disagreeing."""
    from alianza.linkage.pprl.matching import _bitarrays, dice_candidates

    base = dict.fromkeys(CANONICAL_COLUMNS, "") | {
        "given_names": "María",
        "first_surname": "Mamani",
        "second_surname": "Quispe",
        "sex": "F",
    }
    rows = [
        base | {"record_id": "a", "birth_place": "El Alto", "nationality": "BOL"},
        base | {"record_id": "same", "birth_place": "El Alto", "nationality": "BOL"},
        base | {"record_id": "other", "birth_place": "Cusco", "nationality": "PER"},
    ]
    encodings = encode_records(pd.DataFrame(rows), secret=SECRET)
    bits = _bitarrays(encodings.filters)
    sims, _, cols, _ = dice_candidates(bits[:1], bits[1:], threshold=0.0)
    by_col = dict(zip(cols.tolist(), sims.tolist(), strict=True))
    assert by_col[0] == pytest.approx(1.0)
    assert by_col[1] < 0.9


def test_files_of_another_encoding_version_are_refused() -> None:
    records = pd.DataFrame(
        [dict.fromkeys(CANONICAL_COLUMNS, "") | {"record_id": "x1", "given_names": "Ana"}]
    )
    buffer = io.StringIO()
    write_encodings(encode_records(records, secret=SECRET), buffer)
    header, *rest = buffer.getvalue().splitlines()
    old = json.dumps(json.loads(header) | {"version": 1})
    with pytest.raises(InputDataError, match="version 1.*encode again"):
        read_encodings([old, *rest])


def test_round_trip_and_damaged_files() -> None:
    records = pd.DataFrame(
        [dict.fromkeys(CANONICAL_COLUMNS, "") | {"record_id": "x1", "given_names": "Ana"}]
    )
    encodings = encode_records(records, secret=SECRET)
    buffer = io.StringIO()
    write_encodings(encodings, buffer)
    lines = buffer.getvalue().splitlines()
    assert read_encodings(lines) == encodings
    with pytest.raises(InputDataError, match="not an Alianza"):
        read_encodings([json.dumps({"format": "x"})])
    with pytest.raises(InputDataError, match="wrong size"):
        read_encodings([lines[0], json.dumps({"id": "x", "clk": "AAAA"})])
    with pytest.raises(InputDataError, match="empty"):
        read_encodings([])


def test_short_secrets_are_refused(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(b"short\n")
    with pytest.raises(PprlError, match="at least 16 bytes"):
        read_secret(key)


def test_pprl_commands_encode_then_match(tmp_path: Path, match_tables) -> None:  # type: ignore[no-untyped-def]
    left, right = match_tables
    left.loc[:, list(CANONICAL_COLUMNS)].to_csv(tmp_path / "a.csv", index=False)
    right.loc[:, list(CANONICAL_COLUMNS)].to_csv(tmp_path / "b.csv", index=False)
    (tmp_path / "key").write_text(
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
    )
    for side in ("a", "b"):
        call_command(
            "pprl", "encode", str(tmp_path / f"{side}.csv"), "--secret-file", str(tmp_path / "key"),
            "--out", str(tmp_path / f"{side}.jsonl"),
        )  # fmt: skip
    call_command(
        "pprl", "match", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"),
        "--out", str(tmp_path / "pairs.csv"), "--no-progress",
    )  # fmt: skip
    pairs = pd.read_csv(tmp_path / "pairs.csv", dtype=str)
    assert score_pairs(pairs, left, right).f1 >= 0.88
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "pprl", "match", str(tmp_path / "nope.jsonl"), str(tmp_path / "b.jsonl"), "--out", "-"
        )
