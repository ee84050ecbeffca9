"""Deduplicate one table of person records, or match two, with the Latin American model.

How the parameters are set for each run (see docs/linkage.md for the reasoning):

* m (how true matches look) comes from the shipped priors, fitted on labelled synthetic records
  with realistic errors. It describes clerks' habits, which change little between data sets.
* u (how chance pairs look) is re-estimated on every data set by random sampling, so the model
  knows that "Mamani" agrees by chance far more often than "Zeballos" (together with the
  term-frequency adjustments, which Splink computes per value).
* The prior probability that two records match is estimated on every data set from pairs that
  agree on near-certain rules (same document and first name, or same names and birth date).

So the match probabilities are calibrated for each data set, and the default threshold of 0.5
needs no tuning.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from splink import Linker

from alianza.linkage.engine.backends import make_db_api
from alianza.linkage.engine.errors import InputDataError
from alianza.linkage.engine.features import prepare_features
from alianza.linkage.engine.model import (
    COMPARISONS,
    DETERMINISTIC_RULES,
    LinkageModel,
    default_model,
)
from alianza.linkage.engine.schema import validate_person_frame

Progress = Callable[[str], None]
logger = logging.getLogger(__name__)

# Random pairs used to estimate u; enough for stable rare levels, cheap at a million records.
U_SAMPLE_PAIRS = 2_000_000
# The deterministic rules find about this share of true pairs in realistic agency data.
DETERMINISTIC_RECALL = 0.7
# The estimated prior is kept above zero so that match weights stay finite.
_MIN_LAMBDA = 1e-12
# Pairs scored for the EM refinement of the prior: down to this many bits below the threshold
# (a probability of about 0.015 at the default 0.5); the rest add little to the count, and
# keeping them costs time at a million records.
_EM_MARGIN_BITS = 6.0
# The refinement may raise the prior at most this many bits (×16) and lower it at most
# _EM_MAX_FALL_BITS; beyond that the data contradicts the model and the first estimate stays.
_EM_MAX_RISE_BITS = 4.0
_EM_MAX_FALL_BITS = 8.0
_EM_ITERATIONS = 100


@dataclass(slots=True)
class LinkResult:
    """What a linkage run produces.

    pairs: left_id, right_id, match_probability for every pair at or above the threshold.
    clusters: record_id, cluster_id for every input record (dedupe only).
    explanation: per pair, the prior and each comparison's contribution in bits (if asked).
    """

    pairs: pd.DataFrame
    model: LinkageModel
    clusters: pd.DataFrame | None = None
    explanation: pd.DataFrame | None = None


def _noop(_: str) -> None:
    return None


def _model_from_linker(linker: Linker, base: LinkageModel, *, link_type: str) -> LinkageModel:
    """Read back the parameters Splink estimated, keeping the priors where it had no data."""
    settings = linker.misc.save_model_to_json()
    u: dict[str, list[float]] = {}
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        values = []
        for index, level in enumerate(comparison["comparison_levels"]):
            value = level.get("u_probability")
            values.append(float(value) if isinstance(value, (int, float)) else base.u[name][index])
        u[name] = values
    lam = float(settings["probability_two_random_records_match"])
    return LinkageModel(
        m=base.m,
        u=u,
        probability_two_random_records_match=max(lam, _MIN_LAMBDA),
        threshold=base.threshold,
        link_type=link_type,
        training={
            **base.training,
            "u": f"estimated on this data by random sampling of up to {U_SAMPLE_PAIRS} pairs",
            "probability_two_random_records_match": (
                "estimated on this data from deterministic rules "
                f"{list(DETERMINISTIC_RULES)} with assumed recall {DETERMINISTIC_RECALL}"
            ),
        },
    )


def _explanation(predictions: pd.DataFrame, model: LinkageModel) -> pd.DataFrame:
    """Each comparison's contribution in bits (log2 Bayes factor, TF adjustment included).

    The contributions and the prior add up to the pair's match weight.
    """
    lam = model.probability_two_random_records_match
    out = pd.DataFrame(
        {
            "left_id": predictions["unique_id_l"],
            "right_id": predictions["unique_id_r"],
            "match_probability": predictions["match_probability"],
            "match_weight": predictions["match_weight"],
            "prior": math.log2(lam / (1 - lam)),
        }
    )
    for name in COMPARISONS:
        weight = predictions[f"mw_{name}"].astype(float)
        if f"mw_tf_adj_{name}" in predictions.columns:
            weight = weight + predictions[f"mw_tf_adj_{name}"].astype(float).fillna(0.0)
        out[name] = weight.round(3)
    return out


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def _refine_prior(weights: np.ndarray, *, prior: float, comparisons: float) -> float:
    """The prior that makes the scored pairs' expected number of matches consistent (EM).

    `weights` are the match weights (log2 odds, prior included) of every scored pair down to a
    low floor. With m and u fixed, the share of matches λ is the one unknown of the mixture;
    EM alternates each pair's match probability under λ and λ = (their sum) / (all pairs).
    This corrects the first estimate of the prior (near-certain rules divided by an assumed
    recall), which is off when the data's habits differ from that assumption: more missing
    documents, say, make those rules find fewer of the matches.
    """
    if not len(weights) or comparisons <= 0:
        return prior
    bayes = weights - _logit2(prior)  # log2 Bayes factors: the evidence without the prior
    lam = prior
    for _ in range(_EM_ITERATIONS):
        odds = np.exp2(np.clip(bayes + _logit2(lam), -60.0, 60.0))
        updated = float((odds / (1.0 + odds)).sum()) / comparisons
        updated = min(max(updated, _MIN_LAMBDA), 0.5)
        if abs(updated - lam) <= 1e-4 * lam:
            lam = updated
            break
        lam = updated
    shift = _logit2(lam) - _logit2(prior)
    if not -_EM_MAX_FALL_BITS <= shift <= _EM_MAX_RISE_BITS:
        return prior
    return lam


def _register(db_api: Any, features: list[pd.DataFrame]) -> Any:
    # Never name a registered table "left" or "right": Splink's generated SQL breaks.
    registered = [
        db_api.register(frame, table_name=f"alianza_records_{i}")
        for i, frame in enumerate(features)
    ]
    return registered if len(registered) > 1 else registered[0]


def _estimate(inputs: Any, *, base: LinkageModel, link_type: str, sizes: list[int]) -> LinkageModel:
    """u and the prior estimated on this data; m stays as in `base` (see the module docstring)."""
    linker = Linker(inputs, base.settings(link_type=link_type), log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=U_SAMPLE_PAIRS, seed=42, min_count_per_level=None
    )
    try:
        linker.training.estimate_probability_two_random_records_match(
            list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
        )
    except Exception:  # noqa: BLE001 - Splink fails in several ways when no pair qualifies
        logger.warning("No pair met the deterministic rules; keeping the prior match rate.")
    fitted = _model_from_linker(linker, base, link_type=link_type)
    if fitted.probability_two_random_records_match <= _MIN_LAMBDA:
        # No pair met the near-certain rules: expect about one match in the whole data set
        # rather than none, so that strong evidence can still link a pair.
        total = sizes[0] * (sizes[0] - 1) / 2 if len(sizes) == 1 else sizes[0] * sizes[1]
        fitted.probability_two_random_records_match = 1 / max(total, 1.0)
        fitted.training["probability_two_random_records_match"] = (
            "no pair met the deterministic rules; one match in the data set assumed"
        )
    return fitted


def _run(
    tables: list[pd.DataFrame],
    *,
    link_type: str,
    model: LinkageModel | None,
    train: bool,
    engine: str,
    threshold: float | None,
    explain: bool,
    progress: Progress,
    spark_session: Any = None,
) -> tuple[Linker, Any, LinkageModel, pd.DataFrame, pd.DataFrame | None, float]:
    progress("normalising records")
    features = [prepare_features(t) for t in tables]
    # Estimation always runs on embedded DuckDB (random sampling and a few counts are cheap),
    # so every engine scores with exactly the same model and gives the same clusters.
    duckdb_api = make_db_api("duckdb")
    duckdb_inputs = _register(duckdb_api, features)
    base = model or default_model()
    if train:
        progress("estimating the model on this data")
        fitted = _estimate(
            duckdb_inputs, base=base, link_type=link_type, sizes=[len(t) for t in tables]
        )
    else:
        fitted = base
    if threshold is not None:
        fitted = dataclasses.replace(fitted, threshold=threshold)  # never alter the caller's model
    if engine == "duckdb":
        inputs = duckdb_inputs
    else:
        del duckdb_inputs, duckdb_api
        inputs = _register(make_db_api(engine, spark_session=spark_session), features)
    linker = Linker(
        inputs,
        fitted.settings(link_type=link_type, explain=explain, dialect=engine),
        log_level=logging.WARNING,
    )
    progress("blocking and scoring pairs")
    # With a model estimated here, pairs are scored down to well below the threshold so that
    # the prior can be refined on them (`_refine_prior`); the threshold is then applied with
    # the refined prior. A saved model is applied exactly.
    floor = _logit2(fitted.threshold) - (_EM_MARGIN_BITS if train else 0.0)
    predictions = linker.inference.predict(threshold_match_weight=floor)
    frame = predictions.as_pandas_dataframe()
    cut = fitted.threshold  # the threshold on the probabilities under the first prior
    if train:
        sizes = [len(t) for t in tables]
        total = sizes[0] * (sizes[0] - 1) / 2 if len(sizes) == 1 else sizes[0] * sizes[1]
        first = fitted.probability_two_random_records_match
        refined = _refine_prior(
            frame["match_weight"].to_numpy(dtype=float), prior=first, comparisons=total
        )
        shift = _logit2(refined) - _logit2(first)
        fitted.probability_two_random_records_match = refined
        fitted.training["probability_two_random_records_match"] = (
            f"{fitted.training.get('probability_two_random_records_match', '')}; then refined "
            "by EM over the scored pairs with m and u fixed"
        ).lstrip("; ")
        if shift:
            weight = frame["match_weight"].astype(float) + shift
            frame["match_weight"] = weight
            frame["match_probability"] = 1.0 / (1.0 + np.exp2(-weight))
        cut = 1.0 / (1.0 + 2.0 ** -(_logit2(fitted.threshold) - shift))
        frame = frame[frame["match_probability"] >= fitted.threshold].reset_index(drop=True)
    if link_type == "link_only" and len(frame):
        # Put the left file's record on the left, whatever order Splink chose.
        flipped = frame["source_dataset_l"] != "alianza_records_0"
        for column in [c[:-2] for c in frame.columns if c.endswith("_l")]:
            left, right = frame[f"{column}_l"].copy(), frame[f"{column}_r"].copy()
            frame.loc[flipped, f"{column}_l"] = right[flipped]
            frame.loc[flipped, f"{column}_r"] = left[flipped]
    explanation = _explanation(frame, fitted) if explain else None
    pairs = pd.DataFrame(
        {
            "left_id": frame["unique_id_l"].astype(str),
            "right_id": frame["unique_id_r"].astype(str),
            "match_probability": frame["match_probability"].astype(float).round(6),
        }
    )
    # DuckDB returns rows in no fixed order; sorted output can be compared between runs.
    order = pairs.sort_values(["left_id", "right_id"]).index
    pairs = pairs.loc[order].reset_index(drop=True)
    if explanation is not None:
        explanation = explanation.loc[order].reset_index(drop=True)
    return linker, predictions, fitted, pairs, explanation, cut


def dedupe(
    records: pd.DataFrame,
    *,
    model: LinkageModel | None = None,
    train: bool = True,
    engine: str = "duckdb",
    threshold: float | None = None,
    explain: bool = False,
    progress: Progress | None = None,
    spark_session: Any = None,
) -> LinkResult:
    """Group the records of one table into persons.

    `records` has the canonical columns. With `train` (the default) u and the match prior are
    estimated on these records; pass `train=False` with a saved `model` to reuse it exactly.
    """
    records = validate_person_frame(records)
    report = progress or _noop
    linker, predictions, fitted, pairs, explanation, cut = _run(
        [records],
        link_type="dedupe_only",
        model=model,
        train=train,
        engine=engine,
        threshold=threshold,
        explain=explain,
        progress=report,
        spark_session=spark_session,
    )
    report("clustering")
    # `cut` is the threshold expressed under the prior the predictions were scored with.
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=cut
    ).as_pandas_dataframe()
    clusters = pd.DataFrame(
        {
            "record_id": clustered["unique_id"].astype(str),
            "cluster_id": clustered["cluster_id"].astype(str),
        }
    )
    # Clusters follow the input order, so that output lines up with the file a person gave us.
    order = pd.Series(range(len(records)), index=records["record_id"])
    clusters = clusters.assign(_order=clusters["record_id"].map(order)).sort_values("_order")
    clusters = clusters.drop(columns="_order").reset_index(drop=True)
    if len(clusters) != len(records):
        raise InputDataError("Clustering lost records; this is a bug, please report it.")
    return LinkResult(pairs=pairs, model=fitted, clusters=clusters, explanation=explanation)


def match(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    model: LinkageModel | None = None,
    train: bool = True,
    engine: str = "duckdb",
    threshold: float | None = None,
    explain: bool = False,
    progress: Progress | None = None,
    spark_session: Any = None,
) -> LinkResult:
    """Find the records of `right` that are the same person as a record of `left`."""
    left = validate_person_frame(left, label="left")
    right = validate_person_frame(right, label="right")
    _, _, fitted, pairs, explanation, _ = _run(
        [left, right],
        link_type="link_only",
        model=model,
        train=train,
        engine=engine,
        threshold=threshold,
        explain=explain,
        progress=progress or _noop,
        spark_session=spark_session,
    )
    return LinkResult(pairs=pairs, model=fitted, explanation=explanation)


def explain_pair(
    model: LinkageModel,
    tables: list[pd.DataFrame],
    *,
    left_id: str,
    right_id: str,
    engine: str = "duckdb",
) -> dict[str, Any]:
    """Each comparison's contribution to one pair's match weight under a saved model.

    `tables` are the records the model was applied to (one table for a dedupe, two for a
    match): they locate the two records and give the term frequencies of their names. The
    pair is scored even if blocking would never have compared it.
    """
    validated = [validate_person_frame(t, label=f"table {i + 1}") for i, t in enumerate(tables)]
    features = [prepare_features(t) for t in validated]
    right_features = features[-1]
    found_left = features[0][features[0]["unique_id"] == left_id]
    found_right = right_features[right_features["unique_id"] == right_id]
    if found_left.empty or found_right.empty:
        missing = left_id if found_left.empty else right_id
        raise InputDataError(f"No record has record_id {missing}.")
    db_api = make_db_api(engine)
    registered = [
        db_api.register(frame, table_name=f"alianza_records_{i}")
        for i, frame in enumerate(features)
    ]
    link_type = "dedupe_only" if len(features) == 1 else "link_only"
    settings = model.settings(link_type=link_type, explain=True, dialect=engine)
    linker = Linker(
        registered if len(registered) > 1 else registered[0], settings, log_level=logging.WARNING
    )
    for spec_levels in COMPARISONS.values():
        for spec in spec_levels:
            if spec.tf_column:
                linker.table_management.compute_tf_table(spec.tf_column)
    records: list[dict[str, Any]] = []
    for found in (found_left, found_right):
        record = {str(key): value for key, value in found.iloc[0].items()}
        for key, value in record.items():
            if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                record[key] = None
        records.append(record)
    scored = linker.inference.score_pair(records[0], records[1]).as_pandas_dataframe()
    row = _explanation(scored, model).iloc[0]
    return {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
