"""Write synthetic benchmark files (canonical CSV plus a truth CSV) with the package's generator.

.venv/bin/python benchmarks/linkage/make_data.py dedupe N OUT.csv      # + OUT.truth.csv
.venv/bin/python benchmarks/linkage/make_data.py match N M LEFT.csv RIGHT.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

from alianza.linkage.engine import synth
from alianza.linkage.engine.schema import CANONICAL_COLUMNS


def _write(frame, path: str) -> None:  # type: ignore[no-untyped-def]
    frame.loc[:, list(CANONICAL_COLUMNS)].to_csv(path, index=False)
    truth = Path(path).with_suffix(".truth.csv")
    frame.loc[:, ["record_id", "person_id"]].to_csv(truth, index=False)


def main(argv: list[str]) -> None:
    if argv[:1] == ["dedupe"] and len(argv) == 3:
        _write(synth.dedupe_dataset(int(argv[1]), seed=7), argv[2])
    elif argv[:1] == ["match"] and len(argv) == 5:
        left, right = synth.match_datasets(int(argv[1]), int(argv[2]), seed=8)
        _write(left, argv[3])
        _write(right, argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
