"""Person linkage for Latin American records: a Django-free library on Splink and DuckDB.

The public surface is small:

* `dedupe(records)` groups one table's records into persons;
* `match(left, right)` finds the same persons in two tables;
* `LinkageModel` holds the parameters and saves and loads them as versioned JSON;
* `explain_pair(model, left, right)` shows each field's contribution for one pair;
* `read_person_csv` reads and checks the canonical person-record CSV.

Django reaches this package only through `alianza.linkage.services`.
"""

from alianza.linkage.engine.errors import (
    EngineUnavailable,
    InputDataError,
    LinkageError,
    ModelFileError,
)
from alianza.linkage.engine.linking import LinkResult, dedupe, explain_pair, match
from alianza.linkage.engine.model import DEFAULT_THRESHOLD, LinkageModel, default_model
from alianza.linkage.engine.schema import CANONICAL_COLUMNS, read_person_csv

__all__ = [
    "CANONICAL_COLUMNS",
    "DEFAULT_THRESHOLD",
    "EngineUnavailable",
    "InputDataError",
    "LinkResult",
    "LinkageError",
    "LinkageModel",
    "ModelFileError",
    "dedupe",
    "default_model",
    "explain_pair",
    "match",
    "read_person_csv",
]
