"""Case registry benchmark: surname search and a filtered case list, first page, p95.

Generates the data set (the demo world, scaled with --cases) into the database DATABASE_URL
points at, unless it is there already, then times what the case list page asks the database:
the first page of 25 rows and the total count, through `alianza.cases.selectors.case_list` as an
investigator of the police (which owns about 40% of the cases) sees it.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python benchmarks/cases/bench_cases.py --cases 200000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200_000, help="How many cases to generate.")
    parser.add_argument("--runs", type=int, default=40, help="Timed runs per query.")
    parser.add_argument("--target-ms", type=float, default=150.0, help="p95 target; exit 1 when missed.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection

    from alianza.accounts.demo import demo_accounts_seed
    from alianza.accounts.models import User
    from alianza.cases.demo import demo_cases_seed
    from alianza.cases.models import Case
    from alianza.cases.selectors import CaseFilter, case_list

    call_command("migrate", verbosity=0)
    demo_accounts_seed()
    if not Case.objects.exists():
        started = time.perf_counter()
        created = demo_cases_seed(seed=263, n_cases=args.cases)
        print(f"generated {created} cases in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    user = User.objects.get(username="investigador")
    user.is_verified = lambda: True  # type: ignore[attr-defined]

    queries = {
        "surname search (q=quispe)": CaseFilter(q="quispe"),
        "two-word name search (q=maria mamani)": CaseFilter(q="maria mamani"),
        "filtered list (trafficking, 2023, La Paz)": CaseFilter(crime_type="trafficking", year=2023, department="BO-L"),
        "filtered list (sexual exploitation, ARG)": CaseFilter(exploitation_form="sexual_exploitation", exploitation_country="ARG"),
    }
    failed = False
    print(f"{connection.vendor}, {Case.objects.count()} cases")
    print("| query | rows matched | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    for label, filters in queries.items():
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            page = Paginator(case_list(acting_user=user, filters=filters), 25).get_page(1)
            rows = list(page)
            count = page.paginator.count
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        failed |= p95 > args.target_ms
        print(f"| {label} | {count} | {statistics.median(timings):.0f} | {p95:.0f} |")
        del rows
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
