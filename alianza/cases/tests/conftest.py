from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from alianza.cases.reference import reference_data_load


@pytest.fixture
def reference(db: Any) -> None:
    reference_data_load()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English; the platform's default language is Spanish."""
    with translation.override("en"):
        yield
