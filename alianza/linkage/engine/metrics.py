"""Pairwise precision, recall and F1 of linkage results against known truth (benchmarks, tests)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import pandas as pd


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    actual: int

    def __str__(self) -> str:
        return (
            f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f} "
            f"(tp={self.true_positives} predicted={self.predicted} actual={self.actual})"
        )


def _score(predicted: set[tuple[str, str]], actual: set[tuple[str, str]]) -> Scores:
    tp = len(predicted & actual)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(actual) if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, len(predicted), len(actual))


def _cluster_pairs(ids: Iterable[str], groups: Iterable[str]) -> set[tuple[str, str]]:
    frame = pd.DataFrame({"id": list(ids), "group": list(groups)})
    pairs: set[tuple[str, str]] = set()
    for members in frame.groupby("group")["id"]:
        for a, b in combinations(sorted(members[1]), 2):
            pairs.add((a, b))
    return pairs


def score_clusters(clusters: pd.DataFrame, truth: pd.DataFrame) -> Scores:
    """Pairwise scores of `record_id,cluster_id` against `record_id,person_id`."""
    predicted = _cluster_pairs(clusters["record_id"], clusters["cluster_id"])
    actual = _cluster_pairs(truth["record_id"], truth["person_id"])
    return _score(predicted, actual)


def score_pairs(pairs: pd.DataFrame, left: pd.DataFrame, right: pd.DataFrame) -> Scores:
    """Scores of `left_id,right_id` pairs against the `person_id` columns of both tables."""
    predicted = set(zip(pairs["left_id"].astype(str), pairs["right_id"].astype(str), strict=True))
    joined = left[["record_id", "person_id"]].merge(
        right[["record_id", "person_id"]], on="person_id", suffixes=("_l", "_r")
    )
    actual = set(zip(joined["record_id_l"], joined["record_id_r"], strict=True))
    return _score(predicted, actual)
