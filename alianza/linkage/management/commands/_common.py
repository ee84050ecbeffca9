"""Helpers shared by the `link` and `pprl` commands: stage progress and output files.

Django does not load modules starting with an underscore as commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm


class StageProgress:
    """A progress bar on stderr that advances through the named stages of a run."""

    def __init__(self, stages: list[str], *, enabled: bool) -> None:
        self.bar = tqdm(
            total=len(stages), file=sys.stderr, disable=not enabled, unit="step", leave=False
        )
        self.seen: set[str] = set()

    def __call__(self, stage: str) -> None:
        if self.seen:
            self.bar.update(1)
        self.seen.add(stage)
        self.bar.set_description(stage)

    def close(self) -> None:
        self.bar.update((self.bar.total or 0) - self.bar.n)
        self.bar.close()


def sibling(path: str, suffix: str) -> Path:
    """`CLUSTERS.csv` → `CLUSTERS<suffix>`, e.g. `CLUSTERS.model.json`."""
    target = Path(path)
    return target.with_name(target.stem + suffix) if target.suffix else Path(path + suffix)


def write_csv(frame: pd.DataFrame, path: str) -> None:
    # Write to a temporary name first so that a failed run never leaves half a file behind.
    if path == "-":
        frame.to_csv(sys.stdout, index=False)
        return
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    frame.to_csv(partial, index=False)
    partial.replace(target)
