"""PPRL: encoding rate, comparison rate, and F1 against plaintext linkage on the same data.

.venv/bin/python benchmarks/linkage/pprl_bench.py WORKDIR [SECRETS]

Quality runs plaintext linkage once per data set and PPRL (encode both sides, match) once per
secret: SECRETS random secrets (default 1), since PPRL figures vary a little with the secret.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from pathlib import Path

import pandas as pd
from common import f1, run_cli  # type: ignore[import-not-found]
from febrl4_to_csv import main as write_febrl4  # type: ignore[import-not-found]

from alianza.linkage.engine import synth
from alianza.linkage.engine.schema import CANONICAL_COLUMNS
from alianza.linkage.pprl import encode_records
from alianza.linkage.pprl.matching import (
    CANDIDATE_FLOOR,
    _bitarrays,
    dice_candidates,
    popcounts,
    tversky,
)


def pairs_of(path: Path) -> set[tuple[str, str]]:
    frame = pd.read_csv(path, dtype=str)
    return set(zip(frame["left_id"], frame["right_id"], strict=True))


def main(workdir: str, n_secrets: int = 1) -> None:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    key = work / "key"
    key.write_text(secrets.token_hex(32) + "\n")
    results: dict[str, object] = {}

    # Encoding rate: library (normalise + encode) and the whole CLI (read CSV, write JSONL).
    left, right = synth.match_datasets(100_000, 100_000, seed=31)
    canonical = left[list(CANONICAL_COLUMNS)]
    start = time.perf_counter()
    encoded = encode_records(canonical, secret=key.read_bytes().strip())
    seconds = time.perf_counter() - start
    canonical.to_csv(work / "encode100k.csv", index=False)
    timing = run_cli(["pprl", "encode", str(work / "encode100k.csv"), "--secret-file", str(key),
                      "--out", str(work / "encode100k.jsonl")])  # fmt: skip
    results["encode_100k"] = {
        "library_records_per_s": round(len(canonical) / seconds),
        "cli_records_per_s_including_startup": round(len(canonical) / timing["wall_s"]),
    } | timing

    # Comparison rate: all pairs of 50,000 × 100,000 filters (5 × 10^9 pairs).
    other = encode_records(right[list(CANONICAL_COLUMNS)], secret=key.read_bytes().strip())
    a = _bitarrays(encoded.filters[:50_000])
    b = _bitarrays(other.filters)
    start = time.perf_counter()
    sims, rows, cols, _ = dice_candidates(a, b, threshold=CANDIDATE_FLOOR)
    seconds = time.perf_counter() - start
    # The score of the candidates (`tversky`) needs every filter's popcount.
    start = time.perf_counter()
    tversky(sims, rows, cols, left_bits=popcounts(a), right_bits=popcounts(b))
    score_seconds = time.perf_counter() - start
    results["compare_50k_x_100k"] = {
        "pairs": len(a) * len(b),
        "seconds": round(seconds, 2),
        "million_pairs_per_s": round(len(a) * len(b) / seconds / 1e6, 1),
        "score_seconds": round(score_seconds, 2),
        "million_pairs_per_s_with_score": round(
            len(a) * len(b) / (seconds + score_seconds) / 1e6, 1
        ),
        "candidates_at_or_above_floor": len(sims),
    }

    # Quality: PPRL against plaintext linkage on the same files.
    write_febrl4(str(work))
    sets = {"febrl4": ("febrl4_a.csv", "febrl4_b.csv")}
    truths = {}
    truth = pd.read_csv(work / "febrl4_truth.csv", dtype=str)
    truths["febrl4"] = set(zip(truth["left_id"], truth["right_id"], strict=True))
    for seed, overlap in ((8, 0.4), (9, 0.1), (11, 0.1)):
        name = f"own_10k_seed{seed}_overlap{overlap}"
        lft, rgt = synth.match_datasets(10_000, 10_000, seed=seed, overlap=overlap)
        lft[list(CANONICAL_COLUMNS)].to_csv(work / f"{name}_a.csv", index=False)
        rgt[list(CANONICAL_COLUMNS)].to_csv(work / f"{name}_b.csv", index=False)
        joined = lft.merge(rgt, on="person_id", suffixes=("_l", "_r"))
        truths[name] = set(zip(joined["record_id_l"], joined["record_id_r"], strict=True))
        sets[name] = (f"{name}_a.csv", f"{name}_b.csv")
    for name, (fa, fb) in sets.items():
        run_cli(
            [
                "link",
                "match",
                str(work / fa),
                str(work / fb),
                "--out",
                str(work / f"{name}_plain.csv"),
            ]
        )
        plain = f1(pairs_of(work / f"{name}_plain.csv"), truths[name])
        runs = []
        for number in range(n_secrets):
            secret = work / f"key{number}"
            secret.write_text(secrets.token_hex(32) + "\n")
            for side, source in (("a", fa), ("b", fb)):
                run_cli(["pprl", "encode", str(work / source), "--secret-file", str(secret),
                         "--out", str(work / f"{name}_{side}.jsonl")])  # fmt: skip
            timing = run_cli(["pprl", "match", str(work / f"{name}_a.jsonl"),
                              str(work / f"{name}_b.jsonl"), "--out", str(work / f"{name}_pprl.csv"),
                              "--no-progress"])  # fmt: skip
            runs.append(f1(pairs_of(work / f"{name}_pprl.csv"), truths[name]) | timing)
        mean = {
            k: round(sum(r[k] for r in runs) / len(runs), 4) for k in ("precision", "recall", "f1")
        }
        results[f"quality_{name}"] = {
            "plaintext": plain,
            "pprl_mean": mean,
            "pprl_f1_per_secret": [r["f1"] for r in runs],
            "f1_gap": round(plain["f1"] - mean["f1"], 4),
            "pprl_match_wall_s": [r["wall_s"] for r in runs],
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 1)
