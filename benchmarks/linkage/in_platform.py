"""Linkage in the platform, on the demo registry: registry run, a reviewer's decision, and the
missing-person check.

    rm -f /tmp/demo.sqlite3 && DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/alianza demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python benchmarks/linkage/in_platform.py

It changes the database it runs on (decisions made and undone, a second registry run), so point
it at a throwaway demo database, never at real data.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.base")

import django  # noqa: E402

django.setup()

from alianza.accounts.models import User  # noqa: E402
from alianza.linkage import selectors, services  # noqa: E402
from alianza.people.models import Participation  # noqa: E402


def median_seconds(runs: list[float]) -> float:
    return round(statistics.median(runs), 3)


def main() -> None:
    reviewer = User.objects.get(username="investigador")
    reviewer.is_verified = lambda: True  # type: ignore[method-assign]

    start = time.perf_counter()
    run = services.linkage_run()
    print(f"registry run (re-run, nothing changed): {time.perf_counter() - start:.2f} s, {run.records} records, "
          f"{run.pairs_scored} candidate pairs")  # fmt: skip

    decisions = []
    for pair in list(selectors.pair_queue(acting_user=reviewer)[:10]):
        start = time.perf_counter()
        services.pair_confirm(acting_user=reviewer, pair_id=pair.pk)
        services.pair_undo(acting_user=reviewer, pair_id=pair.pk)
        decisions.append((time.perf_counter() - start) / 2)
    print(f"one decision, clusters rewritten: median {median_seconds(decisions)} s (10 pairs)")

    victims = Participation.objects.filter(role="victim")
    reports = list(Participation.objects.filter(role="missing_person").values_list("pk", flat=True))
    one_report = []
    for pk in reports[:5]:
        start = time.perf_counter()
        services.missing_person_matches_check(participation_ids=[pk])
        one_report.append(time.perf_counter() - start)
    print(f"check of one missing-person report against {victims.count()} victims: "
          f"median {median_seconds(one_report)} s")  # fmt: skip
    one_victim = []
    for pk in list(victims.values_list("pk", flat=True)[:5]):
        start = time.perf_counter()
        services.missing_person_matches_check(participation_ids=[pk])
        one_victim.append(time.perf_counter() - start)
    print(f"check of one victim against {len(reports)} reports: median {median_seconds(one_victim)} s")
    thousand = list(victims.values_list("pk", flat=True)[:1000])
    start = time.perf_counter()
    services.missing_person_matches_check(participation_ids=thousand)
    print(f"check of 1,000 victims at once (an import): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
