"""The linkage library on small synthetic data: no database, no Django."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from alianza.linkage.engine import (
    CANONICAL_COLUMNS,
    InputDataError,
    LinkageModel,
    ModelFileError,
    dedupe,
    explain_pair,
    match,
    read_person_csv,
)
from alianza.linkage.engine.features import prepare_features
from alianza.linkage.engine.metrics import score_clusters, score_pairs
from alianza.linkage.engine.model import COMPARISONS, MODEL_VERSION


@pytest.fixture(scope="module")
def deduped(dedupe_records: pd.DataFrame):  # type: ignore[no-untyped-def]
    return dedupe(dedupe_records.drop(columns="person_id"), explain=True)


@pytest.fixture(scope="module")
def matched(match_tables):  # type: ignore[no-untyped-def]
    left, right = match_tables
    return match(left.drop(columns="person_id"), right.drop(columns="person_id"))


def test_dedupe_puts_every_record_in_exactly_one_cluster(deduped, dedupe_records) -> None:  # type: ignore[no-untyped-def]
    clusters = deduped.clusters
    assert list(clusters.columns) == ["record_id", "cluster_id"]
    assert list(clusters["record_id"]) == list(dedupe_records["record_id"])


def test_dedupe_finds_the_same_people(deduped, dedupe_records) -> None:  # type: ignore[no-untyped-def]
    scores = score_clusters(deduped.clusters, dedupe_records)
    assert scores.precision >= 0.93, scores
    assert scores.recall >= 0.9, scores


def test_match_finds_the_same_people_in_two_files(matched, match_tables) -> None:  # type: ignore[no-untyped-def]
    left, right = match_tables
    assert set(matched.pairs["left_id"]) <= set(left["record_id"])
    assert set(matched.pairs["right_id"]) <= set(right["record_id"])
    assert (matched.pairs["match_probability"] >= 0.5).all()
    scores = score_pairs(matched.pairs, left, right)
    assert scores.f1 >= 0.9, scores


def test_probabilities_are_calibrated_on_data_without_partners(dedupe_records) -> None:  # type: ignore[no-untyped-def]
    # Every record a different person: the estimated match rate must stay tiny, so that the
    # default threshold does not invent duplicates.
    singles = dedupe_records.drop_duplicates("person_id").drop(columns="person_id")
    result = dedupe(singles)
    assert result.clusters is not None
    merged = len(singles) - result.clusters["cluster_id"].nunique()
    assert merged <= 0.02 * len(singles)


def test_explanation_adds_up_to_the_match_weight(deduped) -> None:  # type: ignore[no-untyped-def]
    explanation = deduped.explanation
    assert explanation is not None and len(explanation) == len(deduped.pairs)
    total = explanation["prior"] + explanation[list(COMPARISONS)].sum(axis=1)
    assert (total - explanation["match_weight"]).abs().max() < 0.01


def test_model_round_trips_and_reproduces_results(deduped, dedupe_records, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "model.json"
    deduped.model.save(path)
    data = json.loads(path.read_text())
    assert data["version"] == MODEL_VERSION and data["format"] == "alianza.linkage.model"
    loaded = LinkageModel.load(path)
    assert loaded.to_dict()["comparisons"] == deduped.model.to_dict()["comparisons"]
    again = dedupe(dedupe_records.drop(columns="person_id"), model=loaded, train=False)
    assert again.clusters is not None and deduped.clusters is not None
    pd.testing.assert_frame_equal(again.clusters, deduped.clusters)


def test_explain_pair_scores_a_saved_pair(deduped, dedupe_records) -> None:  # type: ignore[no-untyped-def]
    row = deduped.pairs.iloc[0]
    explanation = explain_pair(
        deduped.model,
        [dedupe_records.drop(columns="person_id")],
        left_id=row["left_id"],
        right_id=row["right_id"],
    )
    assert explanation["match_probability"] == pytest.approx(row["match_probability"], abs=1e-4)
    with pytest.raises(InputDataError, match="No record"):
        explain_pair(deduped.model, [dedupe_records], left_id="nope", right_id=row["right_id"])


def test_model_files_of_another_format_or_version_are_refused(tmp_path: Path, deduped) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ModelFileError):
        LinkageModel.load(other)
    future = deduped.model.to_dict() | {"version": MODEL_VERSION + 1}
    other.write_text(json.dumps(future))
    with pytest.raises(ModelFileError, match="version"):
        LinkageModel.load(other)
    with pytest.raises(ModelFileError):
        LinkageModel.load(tmp_path / "missing.json")


def _records(**overrides: str) -> pd.DataFrame:
    row = dict.fromkeys(CANONICAL_COLUMNS, "") | {"record_id": "1"} | overrides
    return pd.DataFrame([row])


def test_features_understand_how_clerks_write_names() -> None:
    both_in_first = prepare_features(_records(first_surname="MAMANI QUISPE")).iloc[0]
    assert (both_in_first["sur1"], both_in_first["sur2"]) == ("mamani", "quispe")
    only_second = prepare_features(_records(second_surname="Quispe")).iloc[0]
    assert (only_second["sur1"], only_second["sur2"]) == ("quispe", None)
    particles = prepare_features(
        _records(given_names="María del Carmen", first_surname="de la Cruz")
    )
    assert particles.iloc[0]["given1"] == "maria" and particles.iloc[0]["sur1"] == "cruz"


def test_features_of_dates_and_documents() -> None:
    frame = pd.concat(
        [
            _records(record_id="a", birth_date="1990", document_number="1234567-1B L.P."),
            _records(record_id="b", birth_date="03/05/1990", document_number="12.345.678",
                     document_type="DNI", nationality="Argentina"),
            _records(record_id="c", birth_date="1984-00-25"),
        ]
    )  # fmt: skip
    features = prepare_features(frame).set_index("unique_id")
    assert features.loc["a", "dob"] is None and features.loc["a", "dob_y"] == "1990"
    assert features.loc["a", "doc"] == "1234567"
    assert features.loc["b", "dob"] == "1990-05-03" and features.loc["b", "doc"] == "12345678"
    assert features.loc["b", "nationality"] == "ARG"
    assert features.loc["c", "dob_y"] == "1984"  # a mistyped date keeps its year


def test_document_kinds_tell_a_passport_from_an_identity_card() -> None:
    frame = pd.concat(
        [
            _records(record_id="a", document_number="4567123 LP", document_type="CI"),
            _records(record_id="b", document_number="M2515247"),
            _records(record_id="c", document_number="4567123", document_type="Pasaporte"),
            _records(record_id="d"),
        ]
    )
    kinds = prepare_features(frame).set_index("unique_id")["doc_kind"]
    assert kinds.to_dict() == {"a": "N", "b": "P", "c": "P", "d": None}


def _level(model: LinkageModel, tables: list[pd.DataFrame], comparison: str) -> float:
    explanation = explain_pair(model, tables, left_id="a", right_id="b")
    return float(explanation[comparison])


def test_passport_against_identity_card_and_swapped_surnames_with_a_typo(deduped) -> None:  # type: ignore[no-untyped-def]
    person = {"given_names": "Rosa", "sex": "F", "birth_date": "1990-03-04"}
    left = _records(
        record_id="a", first_surname="Huamán", second_surname="Flores",
        document_number="4567123", document_type="CI", **person,
    )  # fmt: skip
    passport = _records(
        record_id="b", first_surname="Flures", second_surname="Huaman",
        document_number="K1234567", document_type="Pasaporte", **person,
    )  # fmt: skip
    other_card = passport.assign(document_number="9876543", document_type="CI")
    model = deduped.model
    # A passport number is not evidence against an identity card number; another card is.
    assert _level(model, [left, passport], "document") == 0.0
    assert _level(model, [left, other_card], "document") < -2
    # Both surnames swapped, one of them mistyped: still strong agreement.
    assert _level(model, [left, passport], "surnames") > 5


def test_the_prior_is_refined_on_the_scored_pairs() -> None:
    from alianza.linkage.engine.linking import _logit2, _refine_prior

    # 1,000 matches with strong evidence among 10^7 pairs; the first estimate was 3 times low.
    true_prior = 1e-4
    first = true_prior / 3
    bayes = pd.Series([20.0] * 1_000 + [-5.0] * 50_000).to_numpy()
    weights = bayes + _logit2(first)
    refined = _refine_prior(weights, prior=first, comparisons=1e7)
    assert refined == pytest.approx(true_prior, rel=0.05)
    # A refinement far outside the first estimate is not trusted.
    assert _refine_prior(weights, prior=1e-9, comparisons=1e7) == 1e-9


def test_input_errors_are_clear(tmp_path: Path) -> None:
    cases = {
        "empty.csv": b"",
        "header_only.csv": (",".join(CANONICAL_COLUMNS) + "\n").encode(),
        "missing.csv": b"record_id,given_names\n1,Ana\n",
        "latin1.csv": (",".join(CANONICAL_COLUMNS) + "\n1,Mar\xeda" + "," * 8 + "\n").encode(
            "latin-1"
        ),
        "duplicates.csv": (
            ",".join(CANONICAL_COLUMNS) + "\n1" + "," * 9 + "\n1" + "," * 9 + "\n"
        ).encode(),
    }
    messages = {}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InputDataError) as info:
            read_person_csv(path)
        messages[name] = info.value.message
    assert "empty" in messages["empty.csv"]
    assert "no records" in messages["header_only.csv"]
    assert "first_surname" in messages["missing.csv"]
    assert "UTF-8" in messages["latin1.csv"]
    assert "unique" in messages["duplicates.csv"]
