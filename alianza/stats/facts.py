"""The statistics fact tables and the database triggers that keep them in step with the registry.

The indicator engine reads a year's cases, participants, forms of exploitation and route events.
Read from the registry, that means joining the year's participations with every person and
proceeding; read from the fact tables (`CaseFact`, `ParticipantFact`, `FormFact`, `RouteFact`),
it is one index range scan per table. Triggers on the registry tables rewrite the facts of every
case a write touches, in the same statement and transaction, so after any committed write the
facts equal a recomputation from scratch, whatever wrote (forms, the API, bulk imports, raw SQL,
COPY, deletes). Each rewrite also raises the `StatsVersion` counter of the years it touched, which
is what per-year cached aggregates are keyed by.

How a write reaches the facts:

* a case, its route events or its forms: that case;
* a participation, its forms or its proceeding: the participation's case (old and new);
* a person's sex or citizenships: every case the person takes part in;
* a person cluster: the cluster of the person's participant facts;
* a referral: no fact (the plan reads referrals itself), only its victim's year is raised;
* an institution's name or a reference term: the "all" scope (every year shows their labels);
* the national plan's tables: the "plan" scope.

PostgreSQL uses statement-level triggers with transition tables, so a bulk import of 100,000 rows
rewrites their cases in a few set-based statements. The rewrite first locks what it reads so that
two concurrent transactions cannot each miss the other's uncommitted change: the persons of the
cases it rewrites (FOR SHARE: a concurrent person update waits, or is waited for), then the cases'
fact rows (FOR UPDATE, in case order: rewrites of one case take turns, and the later one reads
after the earlier one committed). Triggers that reach a case through a participation lock that
participation first, so that a participation moving to another case is seen. Cluster changes lock
the persons (FOR NO KEY UPDATE) before they read and rewrite those persons' participant facts. Under
READ COMMITTED each statement after a lock reads the latest committed rows. Two transactions that
edit the same case and the same person at once can deadlock; PostgreSQL then aborts one of them,
which leaves nothing stale.

SQLite takes the write lock at BEGIN (`transaction_mode = IMMEDIATE`), so writers never overlap;
its triggers are per row. SQLite drops a table's triggers when a migration rebuilds the table;
`facts_ensure` (run after every `migrate`) puts missing triggers back and rebuilds the facts, and
until then `triggers_in_place` is false and the statistics read the registry tables directly.

The trigger SQL names registry columns; renaming one of them, or changing the SQL here, needs a
new stats migration that calls `install` (which also rebuilds the facts).
"""

# Every statement here is built from table names taken from the models and constants, never input.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CASE_FACT = "stats_casefact"
PARTICIPANT_FACT = "stats_participantfact"
FORM_FACT = "stats_formfact"
ROUTE_FACT = "stats_routefact"
VERSION = "stats_statsversion"
PARTS = ("case", "participants", "forms", "route")
PREFIX = "stats_fact_"


@dataclass(frozen=True)
class Tables:
    case: str
    case_forms: str
    route: str
    participation: str
    participation_forms: str
    person: str
    proceeding: str
    cluster: str
    institution: str
    term: str
    referral: str
    plan: tuple[str, ...]


def registry_tables(apps: Any) -> Tables:
    """The registry's table names, from `apps` (the project's, or a migration's historical ones)."""

    def table(label: str) -> str:
        return str(apps.get_model(label)._meta.db_table)

    def through(label: str, field: str) -> str:
        return str(apps.get_model(label)._meta.get_field(field).remote_field.through._meta.db_table)

    return Tables(
        case=table("cases.Case"), case_forms=through("cases.Case", "exploitation_forms"),
        route=table("cases.RouteEvent"), participation=table("people.Participation"),
        participation_forms=through("people.Participation", "exploitation_forms"),
        person=table("people.Person"), proceeding=table("prosecution.Proceeding"),
        cluster=table("stats.PersonCluster"), institution=table("accounts.Institution"),
        term=table("cases.ReferenceTerm"), referral=table("protection.Referral"),
        plan=tuple(table(f"plan.{m}") for m in ("Plan", "Axis", "Goal", "Indicator", "Target", "Measurement")),
    )  # fmt: skip


@dataclass(frozen=True)
class Source:
    """A registry table whose writes reach the facts, and how."""

    name: str  # in trigger and function names
    table: str
    key: str  # the column the rewrite starts from
    via: str  # case, participation, person (→ cases); cluster, referral (→ years); all, plan (a scope)
    parts: tuple[str, ...] = ()
    compare: tuple[str, ...] = ()  # an UPDATE matters when one of these changes; () = any change
    events: tuple[str, ...] = ("insert", "update", "delete")


def sources(t: Tables) -> list[Source]:
    return [
        Source("case", t.case, "id", "case", PARTS,
               ("id", "reported_on", "crime_type", "department", "owner_institution_id")),
        Source("caseform", t.case_forms, "case_id", "case", ("forms",), ("case_id", "referenceterm_id")),
        Source("route", t.route, "case_id", "case", ("route",), ("case_id", "position", "event_type", "country")),
        Source("part", t.participation, "case_id", "case", ("participants", "forms"),
               ("id", "case_id", "person_id", "role", "age_when_trafficked")),
        Source("partform", t.participation_forms, "participation_id", "participation", ("forms",),
               ("participation_id", "referenceterm_id")),
        Source("proc", t.proceeding, "participation_id", "participation", ("participants",),
               ("participation_id", "stage")),
        Source("person", t.person, "id", "person", ("participants",), ("id", "sex", "citizenships")),
        Source("cluster", t.cluster, "person_id", "cluster", (), ("person_id", "cluster_id")),
        Source("referral", t.referral, "participation_id", "referral", (), ("participation_id", "proposed_at")),
        # A new institution has no case yet; a renamed one changes the label of its cases.
        Source("inst", t.institution, "id", "all", (), ("id", "name", "short_name"), ("update", "delete")),
        Source("term", t.term, "id", "all"),
        *(Source(f"plan{i}", table, "id", "plan") for i, table in enumerate(t.plan)),
    ]  # fmt: skip


# --- the rewrite, for both databases ---------------------------------------------------------


def _year(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%Y', {column}) AS INTEGER)"


def _first_citizenship(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"({column} ->> 0)"
    return f"json_extract({column}, '$[0]')"


def _bump_years_of_cases(in_cases: str) -> str:
    return (
        f"INSERT INTO {VERSION} (scope, counter) SELECT DISTINCT CAST(year AS TEXT), 1 FROM {CASE_FACT} "
        f"WHERE case_id {in_cases} ORDER BY 1 "
        f"ON CONFLICT (scope) DO UPDATE SET counter = {VERSION}.counter + 1"
    )


def _bump_scope(scope: str) -> str:
    return (
        f"INSERT INTO {VERSION} (scope, counter) VALUES ('{scope}', 1) "
        f"ON CONFLICT (scope) DO UPDATE SET counter = {VERSION}.counter + 1"
    )


def _set_clusters(t: Tables, in_persons: str) -> str:
    return (
        f"UPDATE {PARTICIPANT_FACT} SET cluster_id = (SELECT k.cluster_id FROM {t.cluster} k "
        f"WHERE k.person_id = {PARTICIPANT_FACT}.person_id) WHERE person_id {in_persons}"
    )


def rewrite_statements(vendor: str, t: Tables, part: str, in_cases: str) -> list[str]:
    """Statements that rewrite one part of the facts of the cases whose id satisfies `in_cases`.

    `in_cases` completes a condition on a case id column: "= ANY(ids)", "IN (NEW.case_id)", or
    "IS NOT NULL" for every case (a rebuild).
    """
    year = _year(vendor, "c.reported_on")
    if part == "case":
        return [
            f"DELETE FROM {CASE_FACT} WHERE case_id {in_cases} AND NOT EXISTS "
            f"(SELECT 1 FROM {t.case} c WHERE c.id = {CASE_FACT}.case_id)",
            f"INSERT INTO {CASE_FACT} (case_id, year, crime_type, department, institution_id) "
            f"SELECT c.id, {year}, c.crime_type, c.department, c.owner_institution_id FROM {t.case} c "
            f"WHERE c.id {in_cases} ON CONFLICT (case_id) DO UPDATE SET year = excluded.year, "
            "crime_type = excluded.crime_type, department = excluded.department, "
            "institution_id = excluded.institution_id",
        ]
    if part == "participants":
        return [
            f"DELETE FROM {PARTICIPANT_FACT} WHERE case_id {in_cases}",
            f"INSERT INTO {PARTICIPANT_FACT} (participation_id, case_id, person_id, year, role, sex, age, "
            "citizenship, stage, cluster_id) "
            f"SELECT p.id, p.case_id, p.person_id, {year}, p.role, NULLIF(pe.sex, ''), p.age_when_trafficked, "
            f"{_first_citizenship(vendor, 'pe.citizenships')}, pr.stage, k.cluster_id "
            f"FROM {t.participation} p JOIN {t.case} c ON c.id = p.case_id "
            f"JOIN {t.person} pe ON pe.id = p.person_id "
            f"LEFT JOIN {t.proceeding} pr ON pr.participation_id = p.id "
            f"LEFT JOIN {t.cluster} k ON k.person_id = p.person_id WHERE p.case_id {in_cases}",
        ]
    if part == "forms":
        # Forms recorded on the case or on one of its participants count as the case's forms.
        return [
            f"DELETE FROM {FORM_FACT} WHERE case_id {in_cases}",
            f"INSERT INTO {FORM_FACT} (case_id, term_id, year) SELECT f.case_id, f.term_id, {year} FROM ("
            f"SELECT cf.case_id, cf.referenceterm_id AS term_id FROM {t.case_forms} cf WHERE cf.case_id {in_cases} "
            f"UNION SELECT p.case_id, pf.referenceterm_id FROM {t.participation_forms} pf "
            f"JOIN {t.participation} p ON p.id = pf.participation_id WHERE p.case_id {in_cases}"
            f") f JOIN {t.case} c ON c.id = f.case_id",
        ]
    if part == "route":
        return [
            f"DELETE FROM {ROUTE_FACT} WHERE case_id {in_cases}",
            f"INSERT INTO {ROUTE_FACT} (case_id, position, event_type, country, year) "
            f"SELECT r.case_id, r.position, r.event_type, r.country, {year} "
            f"FROM {t.route} r JOIN {t.case} c ON c.id = r.case_id WHERE r.case_id {in_cases}",
        ]
    raise ValueError(part)


def rebuild_statements(vendor: str, t: Tables) -> list[str]:
    """Recompute every fact from the registry and raise every year's counter and "all"."""
    statements = [
        f"DELETE FROM {table}" for table in (CASE_FACT, PARTICIPANT_FACT, FORM_FACT, ROUTE_FACT)
    ]
    for part in PARTS:
        statements += rewrite_statements(vendor, t, part, "IS NOT NULL")
    statements.append(_bump_years_of_cases("IS NOT NULL"))
    statements.append(_bump_scope("all"))
    return statements


# --- SQLite: row triggers --------------------------------------------------------------------


def _sqlite_cases(t: Tables, source: Source, keys: str) -> str:
    if source.via == "case":
        return f"IN ({keys})"
    if source.via == "participation":
        return f"IN (SELECT case_id FROM {t.participation} WHERE id IN ({keys}))"
    if source.via == "person":
        return f"IN (SELECT case_id FROM {t.participation} WHERE person_id IN ({keys}))"
    raise ValueError(source.via)


def _sqlite_body(t: Tables, source: Source, keys: str) -> list[str]:
    if source.via in ("all", "plan"):
        return [_bump_scope(source.via)]
    if source.via in ("cluster", "referral"):
        column = "person_id" if source.via == "cluster" else "participation_id"
        statements = [
            f"INSERT INTO {VERSION} (scope, counter) SELECT DISTINCT CAST(year AS TEXT), 1 FROM {PARTICIPANT_FACT} "
            f"WHERE {column} IN ({keys}) ON CONFLICT (scope) DO UPDATE SET counter = {VERSION}.counter + 1"
        ]
        if source.via == "cluster":
            statements.append(_set_clusters(t, f"IN ({keys})"))
        return statements
    in_cases = _sqlite_cases(t, source, keys)
    statements = [_bump_years_of_cases(in_cases)]
    for part in source.parts:
        statements += rewrite_statements("sqlite", t, part, in_cases)
    if "case" in source.parts:
        statements.append(_bump_years_of_cases(in_cases))
    return statements


def sqlite_triggers(t: Tables) -> dict[str, str]:
    """Trigger name → CREATE TRIGGER statement."""
    out = {}
    for source in sources(t):
        for event, keys in (
            ("insert", f"NEW.{source.key}"),
            ("update", f"OLD.{source.key}, NEW.{source.key}"),
            ("delete", f"OLD.{source.key}"),
        ):
            if event not in source.events:
                continue
            when = ""
            if event == "update" and source.compare:
                when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in source.compare)
            body = "; ".join(_sqlite_body(t, source, keys))
            name = f"{PREFIX}{source.name}_{event}"
            out[name] = (
                f'CREATE TRIGGER {name} AFTER {event.upper()} ON "{source.table}" FOR EACH ROW{when} '
                f"BEGIN {body}; END"
            )
    return out


# --- PostgreSQL: statement triggers with transition tables ----------------------------------


def _pg_functions(t: Tables) -> list[str]:
    rewrite = []
    for part in PARTS:
        body = ";\n    ".join(rewrite_statements("postgresql", t, part, "= ANY(ids)"))
        rewrite.append(f"  IF '{part}' = ANY(parts) THEN\n    {body};\n  END IF;")
    rebuild = ";\n  ".join(rebuild_statements("postgresql", t))
    return [
        f"""CREATE OR REPLACE FUNCTION {PREFIX}bump(scopes text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO {VERSION} (scope, counter) SELECT DISTINCT s, 1 FROM unnest(scopes) s WHERE s IS NOT NULL
  ORDER BY 1 ON CONFLICT (scope) DO UPDATE SET counter = {VERSION}.counter + 1
$$""",
        f"""CREATE OR REPLACE FUNCTION {PREFIX}rewrite(ids bigint[], parts text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN RETURN; END IF;
  IF 'participants' = ANY(parts) THEN
    PERFORM 1 FROM {t.person} WHERE id IN (SELECT person_id FROM {t.participation} WHERE case_id = ANY(ids))
      ORDER BY id FOR SHARE;
  END IF;
  PERFORM 1 FROM {CASE_FACT} WHERE case_id = ANY(ids) ORDER BY case_id FOR UPDATE;
  PERFORM {PREFIX}bump(ARRAY(SELECT CAST(year AS text) FROM {CASE_FACT} WHERE case_id = ANY(ids)));
{chr(10).join(rewrite)}
  IF 'case' = ANY(parts) THEN
    PERFORM {PREFIX}bump(ARRAY(SELECT CAST(year AS text) FROM {CASE_FACT} WHERE case_id = ANY(ids)));
  END IF;
END $$""",
        f"""CREATE OR REPLACE FUNCTION {PREFIX}rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {rebuild};
  RETURN NULL;
END $$""",
    ]


def _pg_keys(source: Source, event: str) -> str:
    if event == "insert":
        return f"SELECT {source.key} FROM new_rows"
    if event == "delete":
        return f"SELECT {source.key} FROM old_rows"
    same = " AND ".join(
        ["a.id = b.id", f"ROW({', '.join(f'a.{c}' for c in source.compare)}) IS NOT DISTINCT FROM "
         f"ROW({', '.join(f'b.{c}' for c in source.compare)})"]
    )  # fmt: skip
    return (
        f"SELECT a.{source.key} FROM new_rows a WHERE NOT EXISTS (SELECT 1 FROM old_rows b WHERE {same}) "
        f"UNION ALL SELECT a.{source.key} FROM old_rows a WHERE NOT EXISTS (SELECT 1 FROM new_rows b WHERE {same})"
    )


def _pg_trigger_body(t: Tables, source: Source, event: str) -> str:
    keys = f"keys := ARRAY(SELECT DISTINCT k FROM ({_pg_keys(source, event)}) x(k) WHERE k IS NOT NULL);"
    if source.via == "case":
        action = f"PERFORM {PREFIX}rewrite(keys, {_pg_array(source.parts)});"
    elif source.via == "participation":
        action = (
            f"PERFORM 1 FROM {t.participation} WHERE id = ANY(keys) ORDER BY id FOR SHARE;\n  "
            f"PERFORM {PREFIX}rewrite(ARRAY(SELECT DISTINCT case_id FROM {t.participation} "
            f"WHERE id = ANY(keys)), {_pg_array(source.parts)});"
        )
    elif source.via == "person":
        action = (
            f"PERFORM {PREFIX}rewrite(ARRAY(SELECT DISTINCT case_id FROM {t.participation} "
            f"WHERE person_id = ANY(keys)), {_pg_array(source.parts)});"
        )
    elif source.via == "cluster":
        action = (
            f"PERFORM 1 FROM {t.person} WHERE id = ANY(keys) ORDER BY id FOR NO KEY UPDATE;\n  "
            f"PERFORM {PREFIX}bump(ARRAY(SELECT DISTINCT CAST(year AS text) FROM {PARTICIPANT_FACT} "
            "WHERE person_id = ANY(keys)));\n  "
            f"{_set_clusters(t, '= ANY(keys)')};"
        )
    elif source.via == "referral":
        action = (
            f"PERFORM 1 FROM {t.participation} WHERE id = ANY(keys) ORDER BY id FOR SHARE;\n  "
            f"PERFORM {PREFIX}bump(ARRAY(SELECT DISTINCT CAST(year AS text) FROM {PARTICIPANT_FACT} "
            "WHERE participation_id = ANY(keys)));"
        )
    else:
        raise ValueError(source.via)
    return f"DECLARE keys bigint[];\nBEGIN\n  {keys}\n  IF cardinality(keys) = 0 THEN RETURN NULL; END IF;\n  {action}\n  RETURN NULL;\nEND"


def _pg_array(values: Iterable[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]::text[]"


def pg_statements(t: Tables) -> tuple[list[str], dict[str, list[str]]]:
    """(shared functions, trigger name → the statements creating its function and trigger)."""
    triggers: dict[str, list[str]] = {}
    rebuilt = {"case", "caseform", "route", "part", "partform", "proc", "person"}

    def bumping(name: str, scope: str) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"PERFORM {PREFIX}bump(ARRAY['{scope}']); RETURN NULL; END $$"
        )

    for source in sources(t):
        if source.via in ("all", "plan"):
            name = f"{PREFIX}{source.name}"
            triggers[name] = [
                bumping(name, source.via),
                f"CREATE TRIGGER {name} AFTER {' OR '.join(e.upper() for e in source.events)} OR TRUNCATE "
                f'ON "{source.table}" FOR EACH STATEMENT EXECUTE FUNCTION {name}()',
            ]
            continue
        for event, referencing in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        ):
            name = f"{PREFIX}{source.name}_{event}"
            triggers[name] = [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"{_pg_trigger_body(t, source, event)} $$",
                f'CREATE TRIGGER {name} AFTER {event.upper()} ON "{source.table}" REFERENCING {referencing} '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
        name = f"{PREFIX}{source.name}_truncate"
        function = f"{PREFIX}rebuild" if source.name in rebuilt else name
        triggers[name] = [] if source.name in rebuilt else [bumping(name, "all")]
        triggers[name].append(
            f'CREATE TRIGGER {name} AFTER TRUNCATE ON "{source.table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return _pg_functions(t), triggers


# --- installing, checking, rebuilding ----------------------------------------------------------


def expected_triggers(vendor: str, t: Tables) -> set[str]:
    if vendor == "postgresql":
        return set(pg_statements(t)[1])
    if vendor == "sqlite":
        return set(sqlite_triggers(t))
    return set()


def installed_triggers(connection: Any) -> set[str]:
    vendor = connection.vendor
    if vendor == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE tgname LIKE %s"
    elif vendor == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s"
    else:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [PREFIX + "%"])
        return {row[0] for row in cursor.fetchall()}


def triggers_in_place(connection: Any, t: Tables) -> bool:
    expected = expected_triggers(connection.vendor, t)
    return bool(expected) and expected <= installed_triggers(connection)


def install(connection: Any, t: Tables) -> None:
    """Drop and create every fact trigger, then rebuild the facts (in the caller's transaction)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
                [PREFIX + "%"],
            )
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
            functions, triggers = pg_statements(t)
            for statement in functions:
                cursor.execute(statement)
            for statements in triggers.values():
                for statement in statements:
                    cursor.execute(statement)
        elif vendor == "sqlite":
            for name in installed_triggers(connection):
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            for statement in sqlite_triggers(t).values():
                cursor.execute(statement)
        else:
            return
    rebuild(connection, t)


def rebuild(connection: Any, t: Tables) -> None:
    with connection.cursor() as cursor:
        for statement in rebuild_statements(connection.vendor, t):
            cursor.execute(statement)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
                [PREFIX + "%"],
            )
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proname LIKE %s",
                [PREFIX + "%"],
            )
            for (signature,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {signature}")
        elif connection.vendor == "sqlite":
            for name in installed_triggers(connection):
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def ensure(connection: Any) -> bool:
    """Put back missing triggers and rebuild the facts; True if anything was missing.

    Run after every `migrate`: on SQLite, rebuilding a table for a schema change drops its
    triggers, and the writes a data migration makes meanwhile reach no fact.
    """
    from django.apps import apps
    from django.db import transaction

    if CASE_FACT not in connection.introspection.table_names():
        return False
    tables = registry_tables(apps)
    if triggers_in_place(connection, tables):
        return False
    with transaction.atomic(using=connection.alias):
        install(connection, tables)
    return True
