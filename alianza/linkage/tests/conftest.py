from __future__ import annotations

import pandas as pd
import pytest

from alianza.linkage.engine import synth


@pytest.fixture(scope="session")
def dedupe_records() -> pd.DataFrame:
    """2,000 synthetic records with truth in `person_id`."""
    return synth.dedupe_dataset(2_000, seed=11)


@pytest.fixture(scope="session")
def match_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.match_datasets(1_500, 1_500, seed=12)


# The platform tests' registry and engine stand-in (alianza/linkage/tests/world.py).
from alianza.linkage.tests.world import scores, world  # noqa: E402, F401
