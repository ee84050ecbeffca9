"""Bulk import benchmark: an agency CSV of 100,000 rows through `alianza import`, in rows per second.

Writes a synthetic agency spreadsheet (canonical columns; each row a case with a victim, most with
a suspect and a destination abroad, names with accents and documents as agencies write them)
and imports it with the real command (`call_command("import", ...)`: reading the CSV, the column
mapping, cleaning every row with the services' functions, the bulk write, the audit entries),
into an empty registry in the database DATABASE_URL points at. Then checks what the import
promises: every row imported, the audit chain intact, and a second import adds nothing.

    DATABASE_URL=sqlite:////tmp/bench-import.sqlite3 .venv/bin/python benchmarks/cases/bench_import.py --rows 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alianza_cases_perf_import \\
        .venv/bin/python benchmarks/cases/bench_import.py --rows 100000

With `--into-registry PREFIX --seed N` it imports into a registry that already holds cases (an
earlier run's: the rate of a later import, whose statistics flush and indexes meet a full
registry), with source record ids that start PREFIX.

Exits non-zero when the rate is under --target (2,000 rows/s) or a check fails.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.base")


def write_csv(path: Path, rows: int, seed: int, prefix: str = "FELCC-") -> None:
    from alianza.cases.demo import (
        DESTINATIONS,
        EXPLOITATION_MIX,
        RECRUITMENT_PLACES,
        _new_person,
        _pick,
    )

    rng = random.Random(seed)  # noqa: S311 - synthetic data
    columns = ["source_record_id", "crime_type", "reported_on", "first_incident_on", "department", "municipality",
               "source", "narrative", "exploitation_forms", "victim_given_names", "victim_first_surname",
               "victim_second_surname", "victim_sex", "victim_birth_date", "victim_nationality",
               "victim_document_number", "suspect_given_names", "suspect_first_surname", "suspect_second_surname",
               "suspect_sex", "destination_country", "destination_city"]
    forms = {"sexual_exploitation": "Explotación sexual", "forced_labour": "Trabajo forzoso",
             "forced_begging": "mendicidad forzada", "forced_marriage": "Matrimonio servil o forzado",
             "criminal_activities": "criminal_activities", "servitude": "servitude", "slavery": "slavery",
             "organ_removal": "organ_removal"}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for n in range(1, rows + 1):
            year = rng.randint(2018, 2025)
            crime = _pick(rng, [("trata", 80), ("tráfico de personas", 20)])
            form = _pick(rng, EXPLOITATION_MIX) if crime == "trata" else ""
            department, city = rng.choice(RECRUITMENT_PLACES)
            victim = _new_person(rng, female=rng.random() < 0.8, age=rng.randint(12, 35), year=year)
            suspect = _new_person(rng, female=rng.random() < 0.4, age=rng.randint(22, 55), year=year) if rng.random() < 0.75 else None
            destination = _pick(rng, [(c, w) for c, (w, _, _) in DESTINATIONS.items()])
            writer.writerow([
                f"{prefix}{n:07d}", crime, f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"{year - 1}",
                department, city, "complaint", f"Denuncia sintética número {n} ({form or 'tráfico'}).", forms.get(form, ""),
                victim.given, victim.first, victim.second, victim.sex, victim.birth.isoformat(), victim.nationality,
                victim.document, suspect.given if suspect else "", suspect.first if suspect else "",
                suspect.second if suspect else "", suspect.sex if suspect else "",
                destination if rng.random() < 0.9 else "", rng.choice(DESTINATIONS[destination][1]),
            ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--target", type=float, default=2000.0, help="rows/s; exit 1 when missed")
    parser.add_argument("--seed", type=int, default=263)
    parser.add_argument(
        "--into-registry", metavar="PREFIX",
        help="import into a registry that already holds cases (an earlier run's), with source record ids "
             "starting PREFIX (a new one each time) and a seed of your choosing",
    )  # fmt: skip
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from alianza.accounts.demo import demo_accounts_seed
    from alianza.audit.models import AuditEntry
    from alianza.audit.verify import audit_chain_verify
    from alianza.cases.models import Case, CaseSearchToken, RouteEvent
    from alianza.cases.reference import reference_data_load
    from alianza.people.models import Participation, Person

    call_command("migrate", verbosity=0)
    demo_accounts_seed()
    reference_data_load()
    before = Case.objects.count()
    if before and not args.into_registry:
        print("The registry is not empty; use an empty database (or --into-registry).", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "felcc.csv"
        started = time.perf_counter()
        write_csv(path, args.rows, args.seed, args.into_registry or "FELCC-")
        print(f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
        audit_before = AuditEntry.objects.count()
        out, err = io.StringIO(), io.StringIO()
        started, cpu = time.perf_counter(), time.process_time()
        call_command("import", str(path), "--user", "investigador", stdout=out, stderr=err)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(out.getvalue().strip())
        rate = args.rows / elapsed
        print(f"{connection.vendor}: imported {args.rows:,} rows into {before:,} cases in {elapsed:.1f} s: {rate:,.0f} rows/s (target {args.target:,.0f})")
        # On a shared machine the wall time depends on the others' load; this process's own CPU
        # time does not (on SQLite it is nearly all the work; PostgreSQL's server is not in it).
        print(f"  CPU time of this process: {cpu:.1f} s ({args.rows / cpu:,.0f} rows per CPU second)")
        print(f"  {Case.objects.count():,} cases, {Person.objects.count():,} persons, {Participation.objects.count():,} participations, "
              f"{RouteEvent.objects.count():,} route events, {CaseSearchToken.objects.count():,} search tokens, "
              f"{AuditEntry.objects.count() - audit_before:,} audit entries")
        started = time.perf_counter()
        verified = audit_chain_verify()
        print(f"  audit verify: {'ok' if verified.ok else verified.problem} ({verified.checked:,} entries, {time.perf_counter() - started:.1f} s)")
        cases = Case.objects.count()
        started = time.perf_counter()
        call_command("import", str(path), "--user", "investigador", stdout=out, stderr=err)
        print(f"  second import: {out.getvalue().strip().splitlines()[-1]} in {time.perf_counter() - started:.1f} s")
        ok = verified.ok and Case.objects.count() == cases == before + args.rows and rate >= args.target
    print("target met" if ok else "target MISSED or a check failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
