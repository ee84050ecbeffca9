from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from alianza.agreements import keys


@pytest.fixture
def keys_dir(tmp_path: Path, settings: Any) -> Path:
    """A fresh, empty keys directory for this test."""
    directory = tmp_path / "keys"
    settings.ALIANZA_KEYS_DIR = str(directory)
    keys.forget_cached_keys()
    yield directory
    keys.forget_cached_keys()
