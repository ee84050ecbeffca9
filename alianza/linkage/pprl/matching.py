"""Compare keyed Bloom-filter encodings and decide which pairs are the same person.

Similarity is the Dice coefficient of two filters, computed by anonlink's native popcount code.
All pairs are compared, in chunks, so memory stays bounded however large the files; two chunks
run at once on two cores (the native code releases the GIL). Pairs above the threshold are then
solved one-to-one greedily, best similarity first: between two countries' registers a person
appears at most once on each side, and this removes most false matches among common names.

`match_probability` is a logistic map of the Dice coefficient, 0.5 at the threshold. It orders
pairs and keeps the `link match` header, but unlike the plaintext model it is not a calibrated
probability (docs/pprl.md).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from anonlink.similarities import dice_coefficient_accelerated
from bitarray import bitarray

from alianza.linkage.pprl.encoding import Encodings, PprlError

# Dice coefficient at or above which two encodings are taken as the same person. Chosen on
# synthetic records where most people have no partner (docs/benchmarks.md, PPRL quality).
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


def dice_candidates(
    left: Sequence[bitarray],
    right: Sequence[bitarray],
    *,
    threshold: float,
    chunk_size: int = CHUNK_SIZE,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[float], list[int], list[int]]:
    """All pairs with Dice ≥ `threshold`, as (similarities, left indices, right indices)."""
    tasks = [
        (i, j) for i in range(0, len(left), chunk_size) for j in range(0, len(right), chunk_size)
    ]

    def run(
        task: tuple[int, int],
    ) -> tuple[int, int, Sequence[float], Sequence[int], Sequence[int]]:
        i, j = task
        sims, (rows, cols) = dice_coefficient_accelerated(
            [left[i : i + chunk_size], right[j : j + chunk_size]], threshold
        )
        return i, j, sims, rows, cols

    sims_out: list[float] = []
    left_out: list[int] = []
    right_out: list[int] = []
    with ThreadPoolExecutor(max_workers=workers or min(2, os.cpu_count() or 1)) as pool:
        for i, j, sims, rows, cols in pool.map(run, tasks):
            sims_out.extend(sims)
            left_out.extend(r + i for r in rows)
            right_out.extend(c + j for c in cols)
            if progress:
                progress(1)
    return sims_out, left_out, right_out


def _one_to_one(sims: list[float], rows: list[int], cols: list[int]) -> list[int]:
    """Indices of the candidates kept by greedy one-to-one matching, best first."""
    order = sorted(range(len(sims)), key=lambda k: (-sims[k], rows[k], cols[k]))
    used_left: set[int] = set()
    used_right: set[int] = set()
    kept = []
    for k in order:
        if rows[k] in used_left or cols[k] in used_right:
            continue
        used_left.add(rows[k])
        used_right.add(cols[k])
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
    cut = DEFAULT_THRESHOLD if threshold is None else threshold
    sims, rows, cols = dice_candidates(
        _bitarrays(left.filters),
        _bitarrays(right.filters),
        threshold=cut,
        chunk_size=chunk_size,
        progress=progress,
    )
    kept = _one_to_one(sims, rows, cols) if one_to_one else list(range(len(sims)))
    pairs = pd.DataFrame(
        {
            "left_id": [left.ids[rows[k]] for k in kept],
            "right_id": [right.ids[cols[k]] for k in kept],
            "match_probability": [
                round(match_probability(sims[k], threshold=cut), 6) for k in kept
            ],
        }
    )
    return pairs.sort_values(["left_id", "right_id"]).reset_index(drop=True)


def chunk_count(n_left: int, n_right: int, chunk_size: int = CHUNK_SIZE) -> int:
    return math.ceil(n_left / chunk_size) * math.ceil(n_right / chunk_size)
