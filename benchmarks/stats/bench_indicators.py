"""Statistics at national scale on PostgreSQL: all indicators for one year, and the dashboard page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alianza_bench_stats \\
        .venv/bin/python benchmarks/stats/bench_indicators.py --cases 1000000

The first run migrates the database and loads synthetic registry records with COPY (several
minutes); later runs reuse them (`--reload` starts over). Targets: all indicators for one year
in under 2 s; the public dashboard page in under 1 s, warm (cached aggregates, which any write
invalidates through the data version) and also reported cold. Exits non-zero on a miss.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.base")

import django  # noqa: E402

django.setup()
logging.getLogger("alianza.access").setLevel(logging.WARNING)  # one line per request otherwise

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from alianza.accounts.models import Institution  # noqa: E402
from alianza.cases.models import Case, ReferenceTerm, RouteEvent  # noqa: E402
from alianza.cases.reference import reference_data_load  # noqa: E402
from alianza.people.models import Participation, Person  # noqa: E402
from alianza.prosecution.models import Proceeding  # noqa: E402
from alianza.stats.indicators import all_indicators  # noqa: E402
from alianza.stats.models import PersonCluster  # noqa: E402
from alianza.stats.services import indicator_engine, stats_trend, stats_version  # noqa: E402
from alianza.stats.synthetic import INSTITUTIONS, synthetic_data  # noqa: E402

PREFIX = "BENCH"


def _column_value(field: models.Field, now: dt.datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        value = field.get_default()
        return "[]" if value == [] else value
    if not field.null and isinstance(field, models.CharField | models.TextField):
        return ""
    return None


def copy_frame(model: type[models.Model], frame: pd.DataFrame) -> None:
    """COPY `frame` into the model's table, filling every other column with its default."""
    now = timezone.now()
    fields = [
        f for f in model._meta.concrete_fields if f.column in frame.columns or not f.primary_key
    ]
    data = pd.DataFrame(index=frame.index)
    for field in fields:
        data[field.column] = (
            frame[field.column] if field.column in frame.columns else _column_value(field, now)
        )
    buffer = io.StringIO()
    data.to_csv(buffer, index=False, header=False, na_rep="\\N")
    columns = ", ".join(f'"{c}"' for c in data.columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY \"{model._meta.db_table}\" ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        ) as copy:
            copy.write(buffer.getvalue())
        if model._meta.pk.column in data.columns:
            table = model._meta.db_table
            reset = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"  # noqa: S608
            cursor.execute(reset)


def load(cases: int, years: range, seed: int) -> None:
    if not ReferenceTerm.objects.exists():
        reference_data_load()
    with connection.cursor() as cursor:
        for model in (PersonCluster, Proceeding, RouteEvent, Participation, Person):
            cursor.execute(f'TRUNCATE "{model._meta.db_table}" CASCADE')
        cursor.execute(
            f'TRUNCATE "{Case.exploitation_forms.through._meta.db_table}", "{Case._meta.db_table}" CASCADE'
        )
    institutions = {}
    for name in INSTITUTIONS:
        institutions[name], _ = Institution.objects.get_or_create(
            name=f"{name} (benchmark)",
            defaults={"short_name": name[:40], "type": "ngo", "country": "BOL"},
        )
    per_year = {year: cases // len(years) for year in years}
    t0 = time.perf_counter()
    data = synthetic_data(per_year, seed=seed)
    print(
        f"generated {len(data.cases):,} cases, {len(data.participants):,} participants in {time.perf_counter() - t0:.1f} s"
    )
    rng = np.random.default_rng(seed)
    c = data.cases
    days = rng.integers(0, 365, len(c))
    reported = pd.to_datetime(c["year"].astype(str) + "-01-01") + pd.to_timedelta(days, unit="D")
    crime_article = {"trafficking": "CP-281bis", "smuggling": "CP-321bis", "related": "CP-321"}
    t0 = time.perf_counter()
    copy_frame(Case, pd.DataFrame({
        "id": c["case_id"], "reference": PREFIX + "-" + c["case_id"].astype(str).str.zfill(8),
        "crime_type": c["crime_type"], "legal_article": c["crime_type"].map(crime_article),
        "owner_institution_id": c["institution"].map({k: v.pk for k, v in institutions.items()}),
        "reported_on": reported.dt.date.astype(str), "department": c["department"], "source": "complaint",
    }))  # fmt: skip
    p = data.participants
    institution_of_case = c.set_index("case_id")["institution"].map(
        {k: v.pk for k, v in institutions.items()}
    )
    copy_frame(Person, pd.DataFrame({
        "id": p["person_id"], "sex": p["sex"].fillna(""),
        "citizenships": '["' + p["citizenship"] + '"]',
        "owner_institution_id": p["case_id"].map(institution_of_case),
    }))  # fmt: skip
    copy_frame(Participation, pd.DataFrame({
        "id": p["record_id"], "case_id": p["case_id"], "person_id": p["person_id"], "role": p["role"],
        "age_when_trafficked": p["age"].where(p["role"] == "victim").astype("Int64"),
    }))  # fmt: skip
    suspects = p[p["role"] == "suspect"]
    stage = np.where(
        suspects["convicted"],
        "convicted",
        np.where(suspects["prosecuted"], "prosecuted", "investigated"),
    )
    copy_frame(
        Proceeding, pd.DataFrame({"participation_id": suspects["record_id"], "stage": stage})
    )
    copy_frame(RouteEvent, data.route.rename(columns={"case_id": "case_id"}))
    terms = dict(
        ReferenceTerm.objects.filter(vocabulary="exploitation_form").values_list("code", "pk")
    )
    forms = data.exploitation[data.exploitation["form"].isin(terms)]
    copy_frame(
        Case.exploitation_forms.through,
        pd.DataFrame({"case_id": forms["case_id"], "referenceterm_id": forms["form"].map(terms)}),
    )
    copy_frame(PersonCluster, data.clusters)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded into PostgreSQL in {time.perf_counter() - t0:.1f} s")


def timed(label: str, fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    best, median = min(times), sorted(times)[len(times) // 2]
    print(f"{label}: median {median:.3f} s, best {best:.3f} s over {repeat} runs")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--first-year", type=int, default=2015)
    parser.add_argument("--last-year", type=int, default=2024)
    parser.add_argument(
        "--year", type=int, default=2022, help="The year whose indicators are timed."
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reload", action="store_true", help="Delete and load the synthetic records again."
    )
    parser.add_argument("--seed", type=int, default=263)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL database.", file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    if args.reload or Case.objects.filter(reference__startswith=PREFIX).count() < args.cases * 0.99:
        load(args.cases, range(args.first_year, args.last_year + 1), args.seed)
    print(
        f"registry: {Case.objects.count():,} cases, {Participation.objects.count():,} participations"
    )

    def indicators() -> None:
        with indicator_engine(year=args.year) as engine:
            all_indicators(engine, year=args.year)

    def load_year() -> None:
        with indicator_engine(year=args.year):
            pass

    timed("  load one year into the engine", load_year, args.repeat)
    ind = timed(f"all indicators for {args.year} (load + compute)", indicators, args.repeat)
    timed("  data version (cache key)", stats_version, args.repeat)
    timed("  trend of every year (in the database)", stats_trend, 3)

    client = Client(HTTP_HOST="127.0.0.1")
    url = f"/stats/public/?year={args.year}"

    def cold() -> None:
        cache.clear()
        assert client.get(url).status_code == 200

    def warm() -> None:
        assert client.get(url).status_code == 200

    timed("dashboard page, cold (aggregates recomputed)", cold, 3)
    client.get(url)
    page = timed("dashboard page, warm (cached aggregates)", warm, args.repeat)
    ok = ind < 2.0 and page < 1.0
    print("targets: indicators < 2 s, dashboard < 1 s:", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
