"""Compare keyed Bloom-filter encodings and decide which pairs are the same person.

Pairs are found by the Dice coefficient of two filters, computed by anonlink's native popcount
code. All pairs are compared, in chunks, so memory stays bounded however large the files. Each
candidate is then scored by a Tversky index that counts the unshared bits of the fuller of the
two filters less than those of the emptier one (`tversky`): a field missing on one side (no
document, no birth date) then costs a true pair far less than a field that disagrees. How many
pairs to link is decided for each pair of files from the distribution of Dice similarities (see
`choose_threshold`), because a fixed threshold cannot suit both a match where most records have
a partner and one where few do; which pairs, by the score, one-to-one and greedily, best first:
between two countries' registers a person appears at most once on each side, and this removes
most false matches among common names.

Before the decision each pair's score is adjusted for how crowded its two records are
(`density_adjusted`): a record with many look-alikes on the other side (a common name, a
frequent birth year) has its pairs lowered a little, a record with few raised. This is the
encodings' counterpart of the plaintext model's term-frequency adjustments, and it is computed
from similarities alone.

`match_probability` is a logistic map of the adjusted score, 0.5 at the last pair linked. It orders
pairs and keeps the `link match` header, but unlike the plaintext model it is not a calibrated
probability (docs/pprl.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from anonlink.similarities import dice_coefficient_accelerated
from bitarray import bitarray

from alianza.linkage.pprl.encoding import Encodings, PprlError

# Dice coefficient at or above which two encodings are taken as the same person when the files
# are too small to estimate one (fewer than 200 pairs above the candidate floor).
DEFAULT_THRESHOLD = 0.66
# Steepness of the Dice → match_probability map around the threshold.
_SLOPE = 40.0
CHUNK_SIZE = 10_000


def _bitarrays(filters: Sequence[bytes]) -> list[bitarray]:
    out = []
    for clk in filters:
        bits = bitarray(endian="big")
        bits.frombytes(clk)
        out.append(bits)
    return out


# Pairs below this Dice coefficient are never kept; the counts above it locate the threshold.
CANDIDATE_FLOOR = 0.5
_GRID = np.round(np.arange(CANDIDATE_FLOOR, 1.0001, 0.01), 2)
# Weight of the fuller filter's unshared bits in the score (`tversky`); Dice gives both sides
# 0.5. Tuned on synthetic files (10% and 40% with a partner) and FEBRL4 (docs/benchmarks.md).
FULLER_WEIGHT = 0.35
# How many more links than the Dice threshold makes are taken by the score (`match_encodings`).
# The threshold's F1 estimate counts false pairs before the one-to-one step removes most of
# them, so it links a little too few; 1.03 to 1.06 were equally good on every file tried.
LINK_MARGIN = 1.05
# Pairs scoring below this are never linked, whatever the count asks for.
SCORE_FLOOR = 0.55


def dice_candidates(
    left: Sequence[bitarray],
    right: Sequence[bitarray],
    *,
    threshold: float,
    keep_from: float | None = None,
    chunk_size: int = CHUNK_SIZE,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All pairs with Dice ≥ `threshold`, compared chunk by chunk.

    Returns similarities, left and right indices of the pairs with Dice ≥ `keep_from`
    (default `threshold`), and, for every step of 0.01 from `threshold`, how many pairs
    reached it (the histogram that `choose_threshold` reads).
    """
    keep = threshold if keep_from is None else keep_from
    grid = np.round(np.arange(threshold, 1.0001, 0.01), 2)
    tasks = [
        (i, j) for i in range(0, len(left), chunk_size) for j in range(0, len(right), chunk_size)
    ]

    def run(task: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        i, j = task
        sims, (rows, cols) = dice_coefficient_accelerated(
            [left[i : i + chunk_size], right[j : j + chunk_size]], threshold
        )
        values = np.frombuffer(sims, dtype=np.float64) if len(sims) else np.zeros(0)
        counts = np.searchsorted(np.sort(values), grid - 1e-9)
        reached = len(values) - counts
        kept = values >= keep
        r = np.frombuffer(rows, dtype=np.uint32) if len(rows) else np.zeros(0, np.uint32)
        c = np.frombuffer(cols, dtype=np.uint32) if len(cols) else np.zeros(0, np.uint32)
        return values[kept], r[kept].astype(np.int64) + i, c[kept].astype(np.int64) + j, reached

    sims_out, left_out, right_out = [], [], []
    histogram = np.zeros(len(grid), dtype=np.int64)
    with ThreadPoolExecutor(max_workers=workers or 1) as pool:
        for values, rows, cols, reached in pool.map(run, tasks):
            sims_out.append(values)
            left_out.append(rows)
            right_out.append(cols)
            histogram += reached
            if progress:
                progress(1)
    empty = np.zeros(0)
    return (
        np.concatenate(sims_out) if sims_out else empty,
        np.concatenate(left_out) if left_out else empty.astype(np.int64),
        np.concatenate(right_out) if right_out else empty.astype(np.int64),
        histogram,
    )


def popcounts(filters: Sequence[bitarray]) -> np.ndarray:
    """Bits set in each filter."""
    return np.fromiter((bits.count() for bits in filters), dtype=np.float64, count=len(filters))


def tversky(
    sims: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    left_bits: np.ndarray,
    right_bits: np.ndarray,
    fuller_weight: float = FULLER_WEIGHT,
) -> np.ndarray:
    """The score of candidate pairs: shared / (shared + w_e × emptier's own + w_f × fuller's own).

    `sims` are Dice coefficients of the pairs (`rows`, `cols`); `left_bits`, `right_bits` the
    popcounts of all filters. The shared bits follow from the Dice and the two popcounts. With
    w_f = `fuller_weight` and w_e = 1 − w_f this is Dice when w_f = 0.5. A field present on one
    side only (a document, a birth date, a second surname) adds its bits to the fuller filter
    alone, so weighting those bits less compares the two records mostly on what both hold,
    which is what the plaintext model does with a missing value. A field that disagrees adds
    bits to both filters and still costs the full amount. Only popcounts are used, which the
    matching party sees anyway: no field presence is revealed.
    """
    a = left_bits[rows]
    b = right_bits[cols]
    shared = sims * (a + b) / 2.0
    emptier = np.minimum(a, b) - shared
    fuller = np.maximum(a, b) - shared
    denominator = shared + (1.0 - fuller_weight) * emptier + fuller_weight * fuller
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(denominator > 0, shared / denominator, 0.0)
    return np.asarray(np.clip(scores, 0.0, 1.0))


def choose_threshold(histogram: np.ndarray) -> float | None:
    """The Dice threshold with the best estimated F1 for these two files, or None.

    Among pairs of different people the number of pairs reaching Dice s falls off
    exponentially in s (it halves about every 0.02 with the shipped encoding), while true pairs
    sit higher and are few. Fitting that tail where non-matches dominate estimates how many of
    the pairs above any threshold are false, so the threshold adapts to the share of records
    that have a partner, instead of being fixed for one data set.
    """
    counts = histogram.astype(float)
    grid = _GRID[: len(counts)]
    fit = grid <= CANDIDATE_FLOOR + 0.06
    if counts[0] < 200 or fit.sum() < 4:
        return None  # too few pairs to see the tail: keep the default
    matches = counts[np.searchsorted(grid, 0.8)]
    for _ in range(5):
        y = np.log(np.maximum(counts[fit] - matches, 1.0))
        slope, intercept = np.polyfit(grid[fit], y, 1)
        if slope >= 0:
            return None
        false = np.exp(intercept + slope * grid)
        true = np.clip(counts - false, 0.0, None)
        matches = float(true[(grid >= 0.6) & (grid <= 0.9)].max())
    if matches <= 0:
        return None
    candidates = (grid >= 0.6) & (grid <= 0.9)
    f1 = 2 * true / (counts + matches)
    best = int(np.argmax(np.where(candidates, f1, -1.0)))
    return float(grid[best])


# Pairs at or above this Dice count as look-alikes of their two records (`density_adjusted`).
DENSITY_FLOOR = 0.55
# Dice lowered per doubling of look-alikes on either side, relative to the average pair. Tuned
# on synthetic files with 2% to 40% of records matched: it gains 0.007 to 0.02 F1 at every
# overlap; twice as much starts to cost recall.
DENSITY_WEIGHT = 0.01
SCORE_DENSITY_WEIGHT = 0.02


def density_adjusted(
    sims: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    n_left: int,
    n_right: int,
    weight: float = DENSITY_WEIGHT,
) -> np.ndarray:
    """The similarity minus `weight` × (log2 look-alikes of both records − its average over pairs).

    `sims` are the similarities (Dice, or the score) of all candidate pairs `rows`, `cols` (Dice ≥
    CANDIDATE_FLOOR). Agreement between
    two records with many look-alikes ("María Mamani", born in a common year) is weaker
    evidence than between two rare ones, as term frequencies are in the plaintext model; the
    average pair keeps its Dice, so the threshold chosen on Dice (`choose_threshold`) holds.
    """
    if not len(sims):
        return sims
    near = sims >= DENSITY_FLOOR
    per_left = np.bincount(rows[near], minlength=n_left)
    per_right = np.bincount(cols[near], minlength=n_right)
    density = np.log2(1.0 + per_left[rows]) + np.log2(1.0 + per_right[cols])
    return np.asarray(sims - weight * (density - density.mean()))


def _one_to_one(
    sims: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, limit: int | None = None
) -> list[int]:
    """Indices of the candidates kept by greedy one-to-one matching, best first (at most
    `limit` of them)."""
    order = np.lexsort((cols, rows, -sims))
    used_left: set[int] = set()
    used_right: set[int] = set()
    kept: list[int] = []
    for k in order.tolist():
        if limit is not None and len(kept) >= limit:
            break
        row, col = int(rows[k]), int(cols[k])
        if row in used_left or col in used_right:
            continue
        used_left.add(row)
        used_right.add(col)
        kept.append(k)
    return kept


def match_probability(dice: float, *, threshold: float = DEFAULT_THRESHOLD) -> float:
    return 1.0 / (1.0 + math.exp(-_SLOPE * (dice - threshold)))


def match_encodings(
    left: Encodings,
    right: Encodings,
    *,
    threshold: float | None = None,
    one_to_one: bool = True,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Pairs `left_id,right_id,match_probability` of encodings judged to be the same person."""
    if left.key_id != right.key_id:
        raise PprlError(
            "The two files were encoded with different secrets (their key ids differ); "
            "both sides must use the secret agreed for this exchange."
        )
    if left.bits != right.bits:
        raise PprlError("The two files use filters of different sizes.")
    left_bits, right_bits = _bitarrays(left.filters), _bitarrays(right.filters)
    sims, rows, cols, histogram = dice_candidates(
        left_bits,
        right_bits,
        threshold=CANDIDATE_FLOOR,
        chunk_size=chunk_size,
        progress=progress,
    )
    n_left, n_right = len(left.filters), len(right.filters)
    scores = density_adjusted(
        tversky(sims, rows, cols, left_bits=popcounts(left_bits), right_bits=popcounts(right_bits)),
        rows,
        cols,
        n_left=n_left,
        n_right=n_right,
        weight=SCORE_DENSITY_WEIGHT,
    )
    if threshold is not None:
        cut = threshold
        above = scores >= cut
        scores, rows, cols = scores[above], rows[above], cols[above]
        kept = _one_to_one(scores, rows, cols) if one_to_one else list(range(len(scores)))
    else:
        # The data set decides how many links to make, the score which ones: the Dice
        # histogram's non-match tail is seen whole from CANDIDATE_FLOOR, so the threshold
        # chosen on it (`choose_threshold`) fixes the number of links; the pairs are then the
        # best by score, one-to-one, down to that number (times LINK_MARGIN).
        dice_cut = choose_threshold(histogram) or DEFAULT_THRESHOLD
        dice = density_adjusted(sims, rows, cols, n_left=n_left, n_right=n_right)
        linked = dice >= dice_cut
        n_links = len(_one_to_one(dice[linked], rows[linked], cols[linked]))
        above = scores >= SCORE_FLOOR
        scores, rows, cols = scores[above], rows[above], cols[above]
        kept = _one_to_one(scores, rows, cols, limit=round(n_links * LINK_MARGIN))
        cut = float(scores[kept[-1]]) if kept else dice_cut
        if not one_to_one:  # every pair scoring at least what the last one-to-one link scored
            kept = [int(k) for k in np.flatnonzero(scores >= cut)] if kept else []
    pairs = pd.DataFrame(
        {
            "left_id": [left.ids[rows[k]] for k in kept],
            "right_id": [right.ids[cols[k]] for k in kept],
            "match_probability": [
                round(match_probability(scores[k], threshold=cut), 6) for k in kept
            ],
        }
    )
    return pairs.sort_values(["left_id", "right_id"]).reset_index(drop=True)


def chunk_count(n_left: int, n_right: int, chunk_size: int = CHUNK_SIZE) -> int:
    return math.ceil(n_left / chunk_size) * math.ceil(n_right / chunk_size)
