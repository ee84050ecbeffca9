"""Case registry benchmark: surname search and filtered case lists, first page, p95.

Generates the data set into the database DATABASE_URL points at, unless it is there already: the
demo world (`alianza.cases.demo.demo_cases_seed`, the same path as `alianza demo --cases N`),
which cleans every case like the services and writes it in bulk, with about 2.5 persons a case.
Then times what the case list page asks for, as an investigator of the police (which owns
about 40% of the cases, and sees the prosecution's cases shared with it): the first page of 25
rows and the total the page shows (exact up to 10,000, else "more than 10,000"), both through
`alianza.cases.selectors.case_page` and through the whole page (`GET /cases/?...`, rendered).

    # the data set (no lock: it is not timed); 200,000 cases on SQLite, 1,000,000 on PostgreSQL
    DATABASE_URL=sqlite:////tmp/bench200k.sqlite3 .venv/bin/python benchmarks/cases/bench_cases.py --cases 200000 --generate-only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alianza_cases_perf_bench \\
        .venv/bin/python benchmarks/cases/bench_cases.py --cases 1000000 --generate-only
    # the timings
    flock /tmp/alianza-bench.lock env DATABASE_URL=... .venv/bin/python benchmarks/cases/bench_cases.py --cases N
    # a national-scope user's text searches of every case (selector only)
    flock /tmp/alianza-bench.lock env DATABASE_URL=... .venv/bin/python benchmarks/cases/bench_cases.py --cases N \
        --user coordinadora --queries national

Exits non-zero when a p95 is over --target-ms (150).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.base")

QUERIES = {
    "surname search (q=quispe)": {"q": "quispe"},
    "two-word name search (q=maria mamani)": {"q": "maria mamani"},
    "filtered list (trafficking, 2023, La Paz)": {"crime_type": "trafficking", "year": 2023, "department": "BO-L"},
    "filtered list (sexual exploitation, ARG)": {"exploitation_form": "sexual_exploitation", "exploitation_country": "ARG"},
}
# A national-scope user (`--user coordinadora --queries national`) searches the text of every
# other institution's cases (not names): the search of every case's tokens. Selector only: the
# coordinator's pages ask for a second factor, which this script's client has not got.
NATIONAL_QUERIES = {
    "common word (q=cochabamba)": {"q": "cochabamba"},
    "rarer word (q=riberalta)": {"q": "riberalta"},
    "two words (q=santa cruz)": {"q": "santa cruz"},
    "word and filter (q=potosi, forced labour)": {"q": "potosi", "exploitation_form": "forced_labour"},
    # Names are not searched in other institutions' cases at national scope, nor in the
    # ministry's shared cases (none shares victims' identities): an empty page.
    "a surname (q=quispe), found nowhere": {"q": "quispe"},
}
FINDS_NOTHING = {"a surname (q=quispe), found nowhere"}


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200_000, help="How many cases to generate.")
    parser.add_argument("--runs", type=int, default=40, help="Timed runs per query.")
    parser.add_argument("--target-ms", type=float, default=150.0, help="p95 target; exit 1 when missed.")
    parser.add_argument("--generate-only", action="store_true", help="Generate the data set and stop.")
    parser.add_argument("--user", default="investigador")
    parser.add_argument("--queries", choices=["list", "national"], default="list")
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("alianza.access").setLevel(logging.WARNING)  # one line per request otherwise
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from tqdm import tqdm

    from alianza.accounts.demo import demo_accounts_seed
    from alianza.accounts.models import User
    from alianza.cases.demo import demo_cases_seed
    from alianza.cases.models import Case
    from alianza.cases.selectors import CaseFilter, case_page
    from alianza.people.models import Person

    call_command("migrate", verbosity=0)
    demo_accounts_seed()
    if not Case.objects.exists():
        started = time.perf_counter()
        with tqdm(total=args.cases, unit="case", desc="generate", file=sys.stderr, disable=None) as bar:
            created = demo_cases_seed(seed=263, n_cases=args.cases, progress=bar.update)
        elapsed = time.perf_counter() - started
        print(f"generated {created:,} cases and {Person.objects.count():,} persons in {elapsed:.0f} s ({created / elapsed:,.0f} cases/s)")
        if connection.vendor == "postgresql":
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # what autovacuum would do before the first users arrive
            print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
    if args.generate_only:
        return 0
    user = User.objects.get(username=args.user)
    user.is_verified = lambda: True  # type: ignore[attr-defined]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    print(f"{connection.vendor}, {Case.objects.count():,} cases, {Person.objects.count():,} persons; as {user.username} ({user.role}, {user.institution})")
    print("| query | rows matched (page shows) | selector p50 ms | selector p95 ms | whole page p50 ms | whole page p95 ms |")
    print("|---|---|---|---|---|---|")
    failed = False
    url = reverse("cases:case_list")
    for label, fields in (NATIONAL_QUERIES if args.queries == "national" else QUERIES).items():
        filters = CaseFilter(**fields)  # type: ignore[arg-type]
        selector, whole = [], []
        case_page(acting_user=user, filters=filters)  # warm
        for _ in range(args.runs):
            started = time.perf_counter()
            page = case_page(acting_user=user, filters=filters)
            rows = list(page)
            selector.append((time.perf_counter() - started) * 1000)
            assert len(rows) == (0 if label in FINDS_NOTHING else 25), (label, len(rows))
            if args.queries == "national":
                continue
            started = time.perf_counter()
            response = client.get(url, fields)
            whole.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        shown = f"{page.count:,}" if page.count_is_exact else f"more than {page.count:,}"
        timed = whole or selector
        failed |= p95(timed) > args.target_ms
        page_ms = f"{statistics.median(whole):.0f} | {p95(whole):.0f}" if whole else "- | -"
        print(f"| {label} | {shown} | {statistics.median(selector):.0f} | {p95(selector):.0f} | {page_ms} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
