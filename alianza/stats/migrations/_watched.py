"""The tables whose writes raise the statistics data version (used by migrations 0002 and 0003)."""

from typing import Any

# (app label, model, M2M field whose table is watched too, or "")
WATCHED = [
    ("cases", "case", "exploitation_forms"),
    ("cases", "routeevent", ""),
    ("people", "person", ""),
    ("people", "participation", "exploitation_forms"),
    ("prosecution", "proceeding", ""),
    ("stats", "personcluster", ""),
    # The national plan, whose progress the dashboard shows beside the figures.
    ("plan", "plan", ""),
    ("plan", "axis", ""),
    ("plan", "goal", ""),
    ("plan", "indicator", ""),
    ("plan", "target", ""),
    ("plan", "measurement", ""),
]


def tables(apps: Any) -> list[str]:
    names = []
    for app_label, model_name, m2m in WATCHED:
        model = apps.get_model(app_label, model_name)
        names.append(model._meta.db_table)
        if m2m:
            names.append(model._meta.get_field(m2m).remote_field.through._meta.db_table)
    return names
