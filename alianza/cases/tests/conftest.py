from __future__ import annotations

from typing import Any

import pytest

from alianza.cases.reference import reference_data_load


@pytest.fixture
def reference(db: Any) -> None:
    reference_data_load()
