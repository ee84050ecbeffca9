"""Statistics at national scale on PostgreSQL: all indicators for one year, and the dashboard page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alianza_stats_perf_bench \\
        .venv/bin/python benchmarks/stats/bench_indicators.py --cases 1000000

The first run migrates the database and loads synthetic registry records with COPY (several
minutes; the fact tables are then rebuilt in one pass); later runs reuse them (`--reload` starts
over). The national plan 2021–2025 is loaded too, so the dashboard's plan progress computes its
indicators from the data.

Targets: all indicators for one year in under 2 s, computed from nothing cached; the public
dashboard page in under 1 s, warm (cached figures) and cold after a committed write (in the year
the page shows, and in another year). The page with nothing cached at all (an emptied cache) is
reported too. Exits non-zero on a missed target. The writes the script makes are removed at the end.
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
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from alianza.accounts.models import Institution  # noqa: E402
from alianza.cases.models import Case, ReferenceTerm, RouteEvent  # noqa: E402
from alianza.cases.reference import reference_data_load  # noqa: E402
from alianza.people.models import Participation, Person  # noqa: E402
from alianza.plan.services import plan_demo_seed  # noqa: E402
from alianza.prosecution.models import Proceeding  # noqa: E402
from alianza.stats import facts  # noqa: E402
from alianza.stats.indicators import all_indicators, engine_for  # noqa: E402
from alianza.stats.models import CaseFact, FormFact, ParticipantFact, PersonCluster, RouteFact  # noqa: E402
from alianza.stats.registry import RegistrySource, facts_in_place  # noqa: E402
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
    tables = [PersonCluster, Proceeding, RouteEvent, Participation, Person, Case.exploitation_forms.through, Case,
              CaseFact, ParticipantFact, FormFact, RouteFact]  # fmt: skip
    with connection.cursor() as cursor:  # one statement: the facts are rebuilt once, from nothing
        cursor.execute(
            "TRUNCATE " + ", ".join(f'"{m._meta.db_table}"' for m in tables) + " CASCADE"
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
    with transaction.atomic():
        with connection.cursor() as cursor:  # no triggers (nor foreign key checks) while copying
            cursor.execute("SET LOCAL session_replication_role = replica")
        _copy(data, institutions, seed)
        t0 = time.perf_counter()
        facts.rebuild(connection, facts.registry_tables(apps))
        print(f"fact tables rebuilt in {time.perf_counter() - t0:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _copy(data: Any, institutions: dict[str, Institution], seed: int) -> None:
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
    print(f"copied into PostgreSQL in {time.perf_counter() - t0:.1f} s")


def timed(label: str, fn: Any, repeat: int, before: Any = None) -> float:
    """Median seconds of `fn()` over `repeat` runs; `before()` runs untimed before each."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    best, median = min(times), sorted(times)[len(times) // 2]
    print(
        f"{label}: median {median:.3f} s, best {best:.3f} s, worst {max(times):.3f} s over {repeat} runs"
    )
    return median


def check(source: RegistrySource, year: int) -> None:
    """The cells the triggers kept equal the engine's figures computed from scratch."""
    data, _version = source.load_versioned(year)
    with engine_for(data) as engine:
        expected = all_indicators(engine, year=year)
    got = all_indicators(source.figures_versioned(year)[0], year=year)
    assert got["totals"] == expected["totals"], (got["totals"], expected["totals"])
    for key, frame in expected.items():
        if key != "totals":
            pd.testing.assert_frame_equal(got[key], frame, check_dtype=False, obj=key)
    print(f"  the cells of {year} equal the engine's figures recomputed from scratch")


class _Rollback(Exception):
    pass


def bulk_write(year: int, rows: int = 1000) -> None:
    """One statement that adds `rows` victims to as many cases of `year`, with the fact triggers and
    (rolled back) without them; the rows are removed afterwards."""
    institution = Institution.objects.filter(name__endswith="(benchmark)").first()
    cases = list(
        CaseFact.objects.filter(year=year)
        .values_list("case_id", flat=True)
        .order_by("-case_id")[:rows]
    )
    for triggers in (True, False):
        persons = Person.objects.bulk_create(
            Person(owner_institution=institution, sex="F", source_record_id="BENCH-BULK")
            for _ in cases
        )
        t0 = time.perf_counter()
        try:
            with transaction.atomic():  # the flush runs at commit: timed up to the commit
                if not triggers:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            'ALTER TABLE "people_participation" DISABLE TRIGGER stats_fact_part_insert'
                        )
                    t0 = time.perf_counter()
                Participation.objects.bulk_create(
                    Participation(
                        case_id=case_id, person=person, role="victim", age_when_trafficked=15
                    )
                    for case_id, person in zip(cases, persons, strict=True)
                )
                if not triggers:
                    seconds = time.perf_counter() - t0
                    raise _Rollback
        except _Rollback:
            pass
        else:
            seconds = time.perf_counter() - t0
        label = "with the fact triggers" if triggers else "without them (rolled back)"
        print(
            f"  bulk write: {len(cases):,} participations in one statement, {label}: {seconds:.2f} s"
        )
        Participation.objects.filter(person__source_record_id="BENCH-BULK").delete()
        Person.objects.filter(source_record_id="BENCH-BULK").delete()


def analyst_client() -> Client:
    """A signed-in analyst (second factor passed) for the internal dashboard, with raw counts."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from alianza.accounts.models import User
    from alianza.accounts.roles import Role

    institution = Institution.objects.filter(name__endswith="(benchmark)").first()
    user, _ = User.objects.get_or_create(
        username="bench-analyst", defaults={"role": Role.ANALYST, "institution": institution}
    )
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class Writer:
    """Commits one new victim participation at a time, in a case of the given year, and removes them."""

    def __init__(self) -> None:
        institution = Institution.objects.filter(name__endswith="(benchmark)").first()
        self.person = Person.objects.create(owner_institution=institution, sex="F", citizenships=["BOL"],
                                            source_record_id="BENCH-WRITER")  # fmt: skip
        self.used: set[int] = set()
        self.seconds: list[float] = []

    def write(self, year: int) -> None:
        case_id = (
            CaseFact.objects.filter(year=year).exclude(case_id__in=self.used)
            .values_list("case_id", flat=True).order_by("case_id").first()
        )  # fmt: skip
        assert case_id is not None
        self.used.add(case_id)
        t0 = time.perf_counter()
        Participation.objects.create(
            case_id=case_id, person=self.person, role="victim", age_when_trafficked=16
        )
        self.seconds.append(time.perf_counter() - t0)

    def remove(self) -> None:
        Participation.objects.filter(person=self.person).delete()
        self.person.delete()


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
    plan_demo_seed()
    assert facts_in_place()
    print(
        f"registry: {Case.objects.count():,} cases, {Participation.objects.count():,} participations; "
        f"year {args.year}: {CaseFact.objects.filter(year=args.year).count():,} cases, "
        f"{ParticipantFact.objects.filter(year=args.year).count():,} participations"
    )
    source = RegistrySource()

    def indicators() -> None:
        figures, _version = source.figures_versioned(args.year)
        all_indicators(figures, year=args.year)

    def recomputed() -> None:
        data, _version = source.load_versioned(args.year)
        with engine_for(data) as engine:
            all_indicators(engine, year=args.year)

    ind = timed(f"all indicators for {args.year}, read from the cells the triggers keep (nothing cached)",
                indicators, args.repeat)  # fmt: skip
    timed(f"all indicators for {args.year}, recomputed by the engine from the fact tables", recomputed,
          args.repeat)  # fmt: skip
    timed("  of which: load the year from the fact tables", lambda: source.load_versioned(args.year),
          args.repeat)  # fmt: skip
    timed(
        "  version of a year (the cache key)", lambda: source.year_version(args.year), args.repeat
    )
    timed("  trend of every year, nothing cached", source.trend_versioned, args.repeat)
    check(source, args.year)

    client = Client(HTTP_HOST="127.0.0.1")
    url = "/stats/public/"  # the latest year, where new cases arrive
    shown, other = args.last_year, args.first_year + 1

    def page() -> None:
        assert client.get(url).status_code == 200

    writer = Writer()
    try:
        page()
        warm = timed("public dashboard page, warm (cached figures)", page, args.repeat)
        same = timed(f"  page after a committed write in the year it shows ({shown})", page, args.repeat,
                     before=lambda: writer.write(shown))  # fmt: skip
        elsewhere = timed(f"  page after a committed write in another year ({other})", page, args.repeat,
                          before=lambda: writer.write(other))  # fmt: skip
        timed("  page with nothing cached (cache emptied)", page, args.repeat, before=cache.clear)
        analyst = analyst_client()

        def internal() -> None:
            response = analyst.get("/stats/")
            assert (
                response.status_code == 200
                and b"Victims by recording institution" in response.content
            )

        internal()
        timed(
            "internal dashboard page (analyst: raw and deduplicated), warm", internal, args.repeat
        )
        timed(f"  after a committed write in the year it shows ({shown})", internal, args.repeat,
              before=lambda: writer.write(shown))  # fmt: skip
        times = sorted(writer.seconds)
        print(
            f"  the writes themselves (one participation, triggers included): median {times[len(times) // 2]:.3f} s"
        )
        bulk_write(shown)
        check(source, shown)
    finally:
        writer.remove()
    ok = ind < 2.0 and max(warm, same, elsewhere) < 1.0
    print(
        "targets: indicators < 2 s; page < 1 s warm and after a write:", "met" if ok else "MISSED"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
