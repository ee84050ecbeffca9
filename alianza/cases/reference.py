"""Loading the taxonomies and border crossings shipped in `alianza/cases/data/`.

Loading is idempotent: missing entries are created, existing ones are left as the administrator
edited them unless `overwrite` is asked for.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from django.db import transaction

from alianza.audit.services import audit_record
from alianza.cases.choices import Vocabulary
from alianza.cases.models import BorderCrossing, ReferenceTerm

VOCABULARY_FILES = {
    Vocabulary.EXPLOITATION_FORM: "exploitation_forms.csv",
    Vocabulary.MEANS_OF_CONTROL: "means_of_control.csv",
    Vocabulary.RECRUITMENT_METHOD: "recruitment_methods.csv",
    Vocabulary.ISIC_INDUSTRY: "isic_industries.csv",
}
LABELS = ("label_es", "label_en", "label_pt")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("alianza.cases").joinpath(f"data/{filename}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any], *, overwrite: bool, result: LoadResult) -> Any:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.created += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if overwrite and changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        result.updated += 1
    else:
        result.unchanged += 1
    return obj


def reference_data_load(*, acting_user: Any = None, overwrite: bool = False) -> LoadResult:
    result = LoadResult()
    with transaction.atomic(durable=True):
        for vocabulary, filename in VOCABULARY_FILES.items():
            for order, row in enumerate(_rows(filename)):
                _upsert(
                    ReferenceTerm,
                    {"vocabulary": vocabulary, "code": row["code"]},
                    {"htcds_value": row["htcds_value"], "sort_order": order, **{k: row[k] for k in LABELS}},
                    overwrite=overwrite,
                    result=result,
                )
        for row in _rows("border_crossings.csv"):
            _upsert(
                BorderCrossing,
                {"code": row["code"]},
                {
                    "country": row["country"],
                    "department": row["department"],
                    "neighbour_country": row["neighbour_country"],
                    "neighbour_place": row["neighbour_place"],
                    "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
                    "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
                    **{k: row[k] for k in LABELS},
                },
                overwrite=overwrite,
                result=result,
            )
        if result.created or result.updated:
            audit_record(
                actor=acting_user,
                action="reference.load",
                object_type="cases.referenceterm",
                changed_fields=["created", "updated"] if result.updated else ["created"],
            )
    return result
