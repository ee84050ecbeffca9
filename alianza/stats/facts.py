"""The statistics fact tables and figures, and the database triggers that keep them in step.

The indicator engine reads a year's cases, participants, forms of exploitation and route events.
Read from the registry, that means joining the year's participations with every person and
proceeding; the fact tables (`CaseFact`, `ParticipantFact`, `FormFact`, `RouteFact`) hold them
per year, one index range scan each. And the figures themselves (`StatsCell`: every measure in
every category of every breakdown, raw and deduplicated) are kept as well, so that a year's
indicators are read, not computed.

Triggers on the registry tables catch every write, whatever wrote (forms, the API, bulk imports,
raw SQL, COPY, deletes), and mark what it touched (`PendingMark`); a flush rewrites the facts of
every case the marks reach. Every count of a year is a sum over person keys (a cluster, or a
person in none) of what each key contributes, and case counts a sum over cases; so the flush
subtracts what the keys and cases involved contributed, rewrites the facts, and adds what they
contribute now, both computed from every fact of those keys in the year. It also raises the
`StatsVersion` counter of each year it touched, which cached pages are keyed by.

PostgreSQL flushes at commit, in the writing transaction (a deferred constraint trigger), so no
committed state is ever marked, and a transaction that writes a case, its people, route and
forms rewrites it once. SQLite's triggers run once per row, so they only mark, and the marks
wait for the next read. Every read of the statistics flushes first (the writing transaction's
own reads included): after any committed write the facts and cells that a read sees equal a
recomputation from scratch.

How a mark reaches cases, when flushed:

* a case, its route events or its forms, a participation (old and new case): the case;
* a participation's forms or proceeding: the participation's case as it is then;
* a person's sex or citizenships, or their deletion: every case the person takes part in then (a
  new person takes part in none: the participation that names them marks its case);
* an institution's name: its cases (their label); a reference term: the cases with it (and the
  "all" scope at once: its labels are on every page);
* a person cluster: the person's participant facts (their key);
* a referral: no fact (the plan reads referrals itself); its victim's year is raised at once;
* the national plan's tables: the "plan" scope, at once.

On PostgreSQL a flush first locks what it reads so that two concurrent transactions cannot each
miss the other's uncommitted change: the marked participations and the persons of the cases it
rewrites (FOR SHARE: a concurrent update of one of them waits, or is waited for), the cases' fact
rows (FOR UPDATE, in case order), then the version rows of the years involved (in year order):
writers of one year take turns from there to their commit, and under READ COMMITTED each later
statement reads what the earlier writer committed. Cluster changes lock the persons (FOR NO KEY
UPDATE) before they read and rewrite those persons' facts. Two transactions that edit the same
case and the same person at once can deadlock; PostgreSQL then aborts one of them, which leaves
nothing stale. SQLite has one writer at a time (`transaction_mode = IMMEDIATE`), and a flush
takes the write lock.

SQLite allows no WITH in a trigger, hence the scratch tables (`DirtyKey`, `DirtyCase`,
`WorkRecord`, `WorkPerson`), empty outside a flush. SQLite also drops a table's triggers when a
migration rebuilds the table; `ensure` (run after every `migrate`) puts missing triggers back
and rebuilds everything, and until then `triggers_in_place` is false and the statistics read the
registry tables directly.

The trigger SQL names registry columns; renaming one of them, or changing the SQL here, needs a
new stats migration that calls `install` (which also rebuilds the facts and cells).
"""

# Every statement here is built from table names taken from the models and constants, never input.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from alianza.core.bulk import triggers_named
from alianza.stats.indicators import ADULT_AGE

CASE_FACT = "stats_casefact"
PARTICIPANT_FACT = "stats_participantfact"
FORM_FACT = "stats_formfact"
ROUTE_FACT = "stats_routefact"
FACT_TABLES = (CASE_FACT, PARTICIPANT_FACT, FORM_FACT, ROUTE_FACT)
CELL = "stats_statscell"
DIRTY_KEY = "stats_dirtykey"
DIRTY_CASE = "stats_dirtycase"
WORK_RECORD = "stats_workrecord"
WORK_PERSON = "stats_workperson"
PENDING = "stats_pendingmark"
PENDING_FLAG = "stats_pendingflag"
WORK_TABLES = (DIRTY_KEY, DIRTY_CASE, WORK_RECORD, WORK_PERSON, PENDING, PENDING_FLAG)
ALL_PARTS = "ARRAY['case', 'participants', 'forms', 'route']::text[]"
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
    key: str  # the column of the row that the mark records
    via: str  # what the key is (a MARK_KINDS kind), or referral / plan (a version raised at once)
    compare: tuple[str, ...] = ()  # an UPDATE matters when one of these changes; () = any change
    events: tuple[str, ...] = ("insert", "update", "delete")


def sources(t: Tables) -> list[Source]:
    return [
        Source("case", t.case, "id", "case", ("id", "reported_on", "crime_type", "department", "owner_institution_id")),
        Source("caseform", t.case_forms, "case_id", "case", ("case_id", "referenceterm_id")),
        Source("route", t.route, "case_id", "case", ("case_id", "position", "event_type", "country")),
        # Old and new case: a participation moved away leaves a case that its id no longer reaches.
        Source("part", t.participation, "case_id", "case", ("id", "case_id", "person_id", "role", "age_when_trafficked")),
        Source("partform", t.participation_forms, "participation_id", "participation",
               ("participation_id", "referenceterm_id")),
        Source("proc", t.proceeding, "participation_id", "participation", ("participation_id", "stage")),
        # A new person is in no case until a participation names them, and that marks its case.
        Source("person", t.person, "id", "person", ("id", "sex", "citizenships"), ("update", "delete")),
        Source("cluster", t.cluster, "person_id", "cluster", ("person_id", "cluster_id")),
        Source("referral", t.referral, "participation_id", "referral", ("participation_id", "proposed_at")),
        # A new institution has no case yet; a renamed one changes the label of its cases.
        Source("inst", t.institution, "id", "institution", ("id", "name", "short_name"), ("update", "delete")),
        # A term's code is counted, and its labels are shown on every page.
        Source("term", t.term, "id", "term"),
        *(Source(f"plan{i}", table, "id", "plan") for i, table in enumerate(t.plan)),
    ]  # fmt: skip


# --- the statements, for both databases --------------------------------------------------------
#
# Conditions on a set are written as completions: `in_cases` is "= ANY(ids)" on PostgreSQL (an
# array the flush computed) and "IN (SELECT ...)" on SQLite.

MEASURE_CONDITIONS = (
    ("victims", "f.role = 'victim'"),
    ("suspects", "f.role = 'suspect'"),
    ("prosecuted", "f.role = 'suspect' AND f.stage IN ('prosecuted', 'convicted', 'acquitted')"),
    ("convicted", "f.role = 'suspect' AND f.stage = 'convicted'"),
)


def _year(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%Y', {column}) AS INTEGER)"


def _first_citizenship(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"({column} ->> 0)"
    return f"json_extract({column}, '$[0]')"


def _person_key(cluster: str, person: str) -> str:
    """A person's key: their cluster, or the person alone. The prefixes keep the two apart."""
    return f"(CASE WHEN {cluster} IS NULL THEN 'p' || CAST({person} AS TEXT) ELSE 'c' || {cluster} END)"


def _sex_age(sex: str, age: str) -> str:
    a = ADULT_AGE
    return (
        f"(CASE WHEN {sex} = 'F' AND {age} >= {a} THEN 'women' WHEN {sex} = 'M' AND {age} >= {a} THEN 'men' "
        f"WHEN {sex} = 'F' AND {age} < {a} THEN 'girls' WHEN {sex} = 'M' AND {age} < {a} THEN 'boys' "
        "ELSE 'unknown' END)"
    )


# A bump also draws a new random token: a transaction that raised a counter and rolled back must
# not leave the next writer the same version (a reader inside it may have cached under it).
_RANDOM = "CAST(random() AS TEXT)"


def _bump(scopes_select: str) -> str:
    """Raise the counters of the scopes (column `s`) `scopes_select` returns, in scope order."""
    return (
        f"INSERT INTO {VERSION} (scope, counter, token) SELECT scope, 1, {_RANDOM} FROM "
        f"(SELECT DISTINCT CAST(s AS TEXT) AS scope FROM ({scopes_select}) x WHERE s IS NOT NULL) y "
        f"WHERE true ORDER BY 1 ON CONFLICT (scope) DO UPDATE SET counter = {VERSION}.counter + 1, "
        f"token = {_RANDOM}"
    )


def _bump_scope(scope: str) -> str:
    return (
        f"INSERT INTO {VERSION} (scope, counter, token) VALUES ('{scope}', 1, {_RANDOM}) "
        f"ON CONFLICT (scope) DO UPDATE SET counter = {VERSION}.counter + 1, token = {_RANDOM}"
    )


def rewrite_statements(vendor: str, t: Tables, part: str, in_cases: str) -> list[str]:
    """Statements that rewrite one part of the facts of the cases whose id satisfies `in_cases`."""
    year = _year(vendor, "c.reported_on")
    if part == "case":
        return [
            f"DELETE FROM {CASE_FACT} WHERE case_id {in_cases} AND NOT EXISTS "
            f"(SELECT 1 FROM {t.case} c WHERE c.id = {CASE_FACT}.case_id)",
            f"INSERT INTO {CASE_FACT} (case_id, year, crime_type, department, institution) "
            f"SELECT c.id, {year}, c.crime_type, c.department, COALESCE(NULLIF(i.short_name, ''), i.name) "
            f"FROM {t.case} c JOIN {t.institution} i ON i.id = c.owner_institution_id "
            f"WHERE c.id {in_cases} ON CONFLICT (case_id) DO UPDATE SET year = excluded.year, "
            "crime_type = excluded.crime_type, department = excluded.department, "
            "institution = excluded.institution",
        ]
    if part == "participants":
        return [
            f"DELETE FROM {PARTICIPANT_FACT} WHERE case_id {in_cases}",
            f"INSERT INTO {PARTICIPANT_FACT} (participation_id, case_id, person_id, year, role, sex, age, "
            "citizenship, stage, cluster_id, person_key) "
            f"SELECT p.id, p.case_id, p.person_id, {year}, p.role, NULLIF(pe.sex, ''), p.age_when_trafficked, "
            f"{_first_citizenship(vendor, 'pe.citizenships')}, pr.stage, k.cluster_id, "
            f"{_person_key('k.cluster_id', 'p.person_id')} "
            f"FROM {t.participation} p JOIN {t.case} c ON c.id = p.case_id "
            f"JOIN {t.person} pe ON pe.id = p.person_id "
            f"LEFT JOIN {t.proceeding} pr ON pr.participation_id = p.id "
            f"LEFT JOIN {t.cluster} k ON k.person_id = p.person_id WHERE p.case_id {in_cases}",
        ]
    if part == "forms":
        # Forms recorded on the case or on one of its participants count as the case's forms.
        return [
            f"DELETE FROM {FORM_FACT} WHERE case_id {in_cases}",
            f"INSERT INTO {FORM_FACT} (case_id, term_id, code, year) SELECT f.case_id, f.term_id, t.code, {year} "
            f"FROM (SELECT cf.case_id, cf.referenceterm_id AS term_id FROM {t.case_forms} cf "
            f"WHERE cf.case_id {in_cases} "
            f"UNION SELECT p.case_id, pf.referenceterm_id FROM {t.participation_forms} pf "
            f"JOIN {t.participation} p ON p.id = pf.participation_id WHERE p.case_id {in_cases}"
            f") f JOIN {t.case} c ON c.id = f.case_id JOIN {t.term} t ON t.id = f.term_id",
        ]
    if part == "route":
        first = f"(SELECT r.country FROM {ROUTE_FACT} r WHERE r.case_id = {CASE_FACT}.case_id"
        return [
            f"DELETE FROM {ROUTE_FACT} WHERE case_id {in_cases}",
            f"INSERT INTO {ROUTE_FACT} (case_id, position, event_type, country, year) "
            f"SELECT r.case_id, r.position, r.event_type, r.country, {year} "
            f"FROM {t.route} r JOIN {t.case} c ON c.id = r.case_id WHERE r.case_id {in_cases}",
            # The victims' flow: first place on the route → first place of exploitation.
            f"UPDATE {CASE_FACT} SET origin = {first} ORDER BY r.position LIMIT 1), "
            f"destination = {first} AND r.event_type = 'Exploitation' ORDER BY r.position LIMIT 1) "
            f"WHERE case_id {in_cases}",
        ]
    raise ValueError(part)


# The aggregates. Every count of a year is a sum over person keys (a cluster, or a person alone)
# of what that key contributes: its records, and 1 for each category it is counted in. So a write
# subtracts what the keys it touches contributed, rewrites the facts, and adds what those keys
# contribute now, computing both from every fact of those keys in the year. Case counts are a sum
# over cases in the same way. The dirty tables hold the keys and cases of the write in progress;
# the work tables, a key's records and its first known sex, age and citizenship (as the engine's
# `persons`). SQLite allows no WITH in a trigger, hence tables rather than CTEs.


_UPSERT_CELLS = (
    f"ON CONFLICT (year, measure, breakdown, category) DO UPDATE SET raw = {CELL}.raw + excluded.raw, "
    f"dedup = {CELL}.dedup + excluded.dedup"
)


def _records_select(dirty: str) -> str:
    """The records, one per measure, of the dirty keys (`dirty` d: year, key)."""
    return " UNION ALL ".join(
        f"SELECT '{measure}' AS measure, f.participation_id, f.year, f.person_key AS key, f.case_id, f.sex, "
        f"f.age, f.citizenship FROM {dirty} d CROSS JOIN {PARTICIPANT_FACT} f "
        f"WHERE f.year = d.year AND f.person_key = d.key AND {condition}"
        for measure, condition in MEASURE_CONDITIONS
    )


def _persons_select(records: str) -> str:
    """Each key's first known sex, age and citizenship under each measure, as the engine's `persons`."""

    def first_known(column: str, unknown: str) -> str:
        return (
            f"FIRST_VALUE({column}) OVER (PARTITION BY year, measure, key ORDER BY (CASE WHEN {unknown} "
            f"THEN 1 ELSE 0 END), participation_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) "
            f"AS {column}"
        )

    no_citizenship = "citizenship IS NULL OR citizenship = ''"
    return (
        f"SELECT DISTINCT year, measure, key, {first_known('sex', 'sex IS NULL')}, "
        f"{first_known('age', 'age IS NULL')}, {first_known('citizenship', no_citizenship)} "
        f"FROM {records} WHERE true"
    )


def _people_cells(
    sign: int, records: str, persons: str, case_facts: str | None = CASE_FACT, form_facts: str = FORM_FACT,
    route_facts: str = ROUTE_FACT,
) -> str:
    """Add (sign 1) or subtract (-1) what the keys of `records` and `persons` contribute to the cells.

    The case, form and route facts are read from the fact tables, or from the relations given
    (on PostgreSQL, `_probe`s of each record's case); with no `case_facts`, each record carries
    its case's facts (`CASE_OF_RECORD`)."""
    s = "" if sign > 0 else "-"
    w = f"FROM {records} w"
    if case_facts is None:
        c, case_of = "w.case_", "WHERE w.case_case_id IS NOT NULL"
    else:
        # CROSS JOIN: SQLite then keeps the small work table as the outer loop (it has no statistics).
        c, case_of = "c.", f"CROSS JOIN {case_facts} c WHERE c.case_id = w.case_id"

    def rows(source: str, breakdown: str, category: str, record: str, person: int, tail: str) -> tuple[str, str]:
        year, measure, key = (f"{source}.{c}" for c in ("year", "measure", "key"))
        return breakdown, (
            f"SELECT {year} AS year, {measure} AS measure, '{breakdown}' AS breakdown, {category} AS category, "
            f"{key} AS key, {record} AS participation_id, {person} AS person {tail}"
        )

    persons_from = f"FROM {persons} p"
    branches = [
        rows("w", "total", "''", "w.participation_id", 1, w),
        rows("w", "department", f"COALESCE(NULLIF({c}department, ''), 'unknown')", "w.participation_id", 1,
             f"{w} {case_of}"),
        rows("w", "institution", f"{c}institution", "w.participation_id", 1, f"{w} {case_of}"),
        rows("w", "crime_type", f"{c}crime_type", "w.participation_id", 1, f"{w} {case_of}"),
        rows("w", "exploitation", "f.code", "w.participation_id", 1,
             f"{w} CROSS JOIN {form_facts} f WHERE f.case_id = w.case_id"),
        rows("w", "country_of_exploitation", "r.country", "w.participation_id", 1,
             f"{w} CROSS JOIN {route_facts} r WHERE r.case_id = w.case_id AND r.event_type = 'Exploitation'"),
        rows("w", "flow", f"{c}origin || '>' || {c}destination", "w.participation_id", 1,
             f"{w} {case_of} AND w.measure = 'victims' AND {c}destination IS NOT NULL"),
        # A person's own attributes: each record's as raw counts, the key's first known once.
        rows("w", "sex_age", _sex_age("w.sex", "w.age"), "w.participation_id", 0, w),
        rows("w", "sex", "COALESCE(w.sex, 'unknown')", "w.participation_id", 0, w),
        rows("w", "citizenship", "COALESCE(w.citizenship, 'unknown')", "w.participation_id", 0, w),
        rows("p", "sex_age", _sex_age("p.sex", "p.age"), "NULL", 1, persons_from),
        rows("p", "sex", "COALESCE(p.sex, 'unknown')", "NULL", 1, persons_from),
        rows("p", "citizenship", "COALESCE(NULLIF(p.citizenship, ''), 'unknown')", "NULL", 1, persons_from),
    ]  # fmt: skip
    # Each breakdown is counted on its own (its cells are its own): a dozen sorts of a tenth of
    # the rows each, which fit in memory, rather than one sort of all of them.
    by_breakdown: dict[str, list[str]] = {}
    for breakdown, sql in branches:
        by_breakdown.setdefault(breakdown, []).append(sql)
    counted = " UNION ALL ".join(
        f"SELECT year, measure, breakdown, category, {s}COUNT(DISTINCT participation_id) AS raw, "
        f"{s}COUNT(DISTINCT CASE WHEN person = 1 THEN key END) AS dedup FROM ({' UNION ALL '.join(parts)}) x "
        "WHERE true GROUP BY year, measure, breakdown, category"
        for parts in by_breakdown.values()
    )
    return (
        f"INSERT INTO {CELL} (year, measure, breakdown, category, raw, dedup) "
        f"SELECT year, measure, breakdown, category, raw, dedup FROM ({counted}) y "
        f"WHERE true ORDER BY year, measure, breakdown, category {_UPSERT_CELLS}"
    )


def _case_cells(
    sign: int, dirty: str, case_facts: str | None = CASE_FACT, form_facts: str = FORM_FACT,
    route_facts: str = ROUTE_FACT,
) -> str:
    """Add or subtract what the dirty cases (`dirty` d: year, case_id) contribute to the cells,
    from the fact tables or from the relations given (on PostgreSQL, `_probe`s of each case);
    with no `case_facts`, `dirty` holds the dirty cases' facts themselves."""
    s = "" if sign > 0 else "-"
    if case_facts is None:
        source, where = f"FROM {dirty} c", "WHERE true"
    else:
        source, where = f"FROM {dirty} d CROSS JOIN {case_facts} c", "WHERE c.case_id = d.case_id AND c.year = d.year"
    branches = [
        f"SELECT c.year, 'total' AS breakdown, '' AS category, c.case_id {source} {where}",
        f"SELECT c.year, 'department', COALESCE(NULLIF(c.department, ''), 'unknown'), c.case_id {source} {where}",
        f"SELECT c.year, 'institution', c.institution, c.case_id {source} {where}",
        f"SELECT c.year, 'crime_type', c.crime_type, c.case_id {source} {where}",
        f"SELECT c.year, 'exploitation', f.code, c.case_id {source} CROSS JOIN {form_facts} f {where} "
        "AND f.case_id = c.case_id",
        f"SELECT c.year, 'country_of_exploitation', r.country, c.case_id {source} CROSS JOIN {route_facts} r {where} "
        "AND r.case_id = c.case_id AND r.event_type = 'Exploitation'",
    ]
    return (
        f"INSERT INTO {CELL} (year, measure, breakdown, category, raw, dedup) "
        f"SELECT year, 'cases', breakdown, category, {s}COUNT(DISTINCT case_id), {s}COUNT(DISTINCT case_id) "
        f"FROM ({' UNION ALL '.join(branches)}) x WHERE true GROUP BY year, breakdown, category "
        f"ORDER BY year, breakdown, category {_UPSERT_CELLS}"
    )


def _contribution_statements(sign: int) -> list[str]:
    """With the dirty and work tables (SQLite, and rebuilds, where the sets are large)."""
    return [
        f"INSERT INTO {WORK_RECORD} (measure, participation_id, year, key, case_id, sex, age, citizenship) "
        f"{_records_select(DIRTY_KEY)}",
        f"INSERT INTO {WORK_PERSON} (year, measure, key, sex, age, citizenship) {_persons_select(WORK_RECORD)}",
        _people_cells(sign, WORK_RECORD, WORK_PERSON),
        _case_cells(sign, DIRTY_CASE),
        f"DELETE FROM {WORK_RECORD}",
        f"DELETE FROM {WORK_PERSON}",
    ]


def _probe(table: str, condition: str) -> str:
    """A relation of the rows of `table` t that satisfy `condition` for the row before it (a
    LATERAL subquery: an index probe per row; OFFSET 0 keeps it from being flattened into a join)."""
    return f"LATERAL (SELECT t.* FROM {table} t WHERE {condition} OFFSET 0)"


# The columns of a record's case fact that the people cells count by (`_pg_records_select`).
CASE_OF_RECORD = ("case_id", "department", "institution", "crime_type", "origin", "destination")


def _pg_records_select(keys: str) -> str:
    """`_records_select` for PostgreSQL: one probe of `stats_participant_key` per key, and of
    the record's case fact (its columns `case_<name>`, NULL if none), read once for every breakdown."""
    measures = " UNION ALL ".join(f"SELECT '{measure}' WHERE {condition}" for measure, condition in MEASURE_CONDITIONS)
    case_columns = ", ".join(f"c.{name} AS case_{name}" for name in CASE_OF_RECORD)
    return (
        "SELECT m.measure, f.participation_id, f.year, f.person_key AS key, f.case_id, f.sex, f.age, f.citizenship, "
        f"{case_columns} "
        f"FROM {keys} d CROSS JOIN {_probe(PARTICIPANT_FACT, 't.year = d.year AND t.person_key = d.key')} f "
        f"LEFT JOIN {_probe(CASE_FACT, 't.case_id = f.case_id')} c ON true "
        f"CROSS JOIN LATERAL ({measures}) m(measure)"
    )


def _pg_contribution_statements(sign: int) -> list[str]:
    """The same from the plpgsql arrays dy, dk (keys) and cy, cc (cases), through CTEs, each
    fact read by an index probe per key, record or case: the work follows the number of keys and
    cases written, not the size of the tables (see `_PG_PLANNER`)."""
    keys = "d AS (SELECT * FROM unnest(dy, dk) AS d(year, key))"
    records = f"w AS MATERIALIZED ({_pg_records_select('d')})"
    persons = f"p AS MATERIALIZED ({_persons_select('w')})"
    exploitation = "t.event_type = 'Exploitation' AND "
    people = _people_cells(
        sign, "w", "p", None, _probe(FORM_FACT, "t.case_id = w.case_id"),
        _probe(ROUTE_FACT, exploitation + "t.case_id = w.case_id"),
    )
    cases = _case_cells(
        sign, "cf", None, _probe(FORM_FACT, "t.case_id = c.case_id"),
        _probe(ROUTE_FACT, exploitation + "t.case_id = c.case_id"),
    )
    case_facts = (
        "cf AS MATERIALIZED (SELECT c.* FROM unnest(cy, cc) AS d(year, case_id) "
        f"CROSS JOIN {_probe(CASE_FACT, 't.case_id = d.case_id AND t.year = d.year')} c)"
    )
    return [
        f"WITH {keys}, {records}, {persons} {people}",
        f"WITH {case_facts} {cases}",
    ]


# The functions that rewrite the facts of given cases or persons plan every statement for index
# probes and nested loops: each statement reads a few rows per id, and the planner must not trade
# that for scans and hashes of whole tables, which it chose with stale statistics (a bulk import
# in progress) and with fresh ones alike. Measured: 10,000 rows imported into 110,000 cases
# flushed in 5.9 s with its choice, 1.9 s so (docs/benchmarks.md, "Seventh pass"). The rebuild,
# which reads everything, keeps its choice.
_PG_PLANNER = "SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off"


def _finish_statements() -> list[str]:
    return [
        f"DELETE FROM {CELL} WHERE raw = 0 AND dedup = 0 AND year IN "
        f"(SELECT year FROM {DIRTY_KEY} UNION SELECT year FROM {DIRTY_CASE})",
        f"DELETE FROM {DIRTY_KEY}",
        f"DELETE FROM {DIRTY_CASE}",
    ]


def _case_years_bump(vendor: str, t: Tables, in_cases: str) -> str:
    # Old and new years at once: writers of one year take turns from here to their commit.
    return _bump(
        f"SELECT year AS s FROM {CASE_FACT} WHERE case_id {in_cases} "
        f"UNION SELECT {_year(vendor, 'c.reported_on')} FROM {t.case} c WHERE c.id {in_cases}"
    )


def _dirty_keys_of_cases(vendor: str, t: Tables, in_cases: str) -> str:
    """(year, key) of every person in the cases, as the facts have them and as they will."""
    return (
        f"SELECT year, person_key AS key FROM {PARTICIPANT_FACT} WHERE case_id {in_cases} "
        f"UNION SELECT {_year(vendor, 'c.reported_on')}, {_person_key('k.cluster_id', 'p.person_id')} "
        f"FROM {t.participation} p JOIN {t.case} c ON c.id = p.case_id "
        f"LEFT JOIN {t.cluster} k ON k.person_id = p.person_id WHERE p.case_id {in_cases}"
    )


def _dirty_cases(vendor: str, t: Tables, in_cases: str) -> str:
    return (
        f"SELECT year, case_id FROM {CASE_FACT} WHERE case_id {in_cases} "
        f"UNION SELECT {_year(vendor, 'c.reported_on')}, c.id FROM {t.case} c WHERE c.id {in_cases}"
    )


def _dirty_keys_of_persons(t: Tables, in_persons: str) -> str:
    return (
        f"SELECT year, person_key AS key FROM {PARTICIPANT_FACT} WHERE person_id {in_persons} "
        f"UNION SELECT f.year, {_person_key('k.cluster_id', 'f.person_id')} FROM {PARTICIPANT_FACT} f "
        f"LEFT JOIN {t.cluster} k ON k.person_id = f.person_id WHERE f.person_id {in_persons}"
    )


def _set_clusters(t: Tables, in_persons: str) -> str:
    cluster = (
        f"(SELECT k.cluster_id FROM {t.cluster} k WHERE k.person_id = {PARTICIPANT_FACT}.person_id)"
    )
    return (
        f"UPDATE {PARTICIPANT_FACT} SET cluster_id = {cluster}, "
        f"person_key = {_person_key(cluster, 'person_id')} WHERE person_id {in_persons}"
    )


def change_statements(vendor: str, t: Tables, parts: Iterable[str], in_cases: str) -> list[str]:
    """Rewrite `parts` of the facts of the cases `in_cases`, and the cells with them (SQLite)."""
    parts = tuple(parts)
    statements = [
        _case_years_bump(vendor, t, in_cases),
        f"INSERT INTO {DIRTY_KEY} (year, key) {_dirty_keys_of_cases(vendor, t, in_cases)} ON CONFLICT DO NOTHING",
    ]
    if set(parts) & {"case", "forms", "route"}:  # what case counts read
        statements.append(
            f"INSERT INTO {DIRTY_CASE} (year, case_id) {_dirty_cases(vendor, t, in_cases)} ON CONFLICT DO NOTHING"
        )
    statements += _contribution_statements(-1)
    for part in PARTS:
        if part in parts:
            statements += rewrite_statements(vendor, t, part, in_cases)
    return statements + _contribution_statements(+1) + _finish_statements()


def recluster_statements(t: Tables, in_persons: str) -> list[str]:
    """Give the participant facts of the persons `in_persons` their cluster, and the cells (SQLite)."""
    return [
        _bump(f"SELECT year AS s FROM {PARTICIPANT_FACT} WHERE person_id {in_persons}"),
        f"INSERT INTO {DIRTY_KEY} (year, key) {_dirty_keys_of_persons(t, in_persons)} ON CONFLICT DO NOTHING",
        *_contribution_statements(-1),
        _set_clusters(t, in_persons),
        *_contribution_statements(+1),
        *_finish_statements(),
    ]


def rebuild_statements(vendor: str, t: Tables) -> list[str]:
    """Recompute every fact and aggregate from the registry, and raise every year's counter and "all"."""
    statements = [f"DELETE FROM {table}" for table in (*FACT_TABLES, CELL, *WORK_TABLES)]
    for part in PARTS:
        statements += rewrite_statements(vendor, t, part, "IS NOT NULL")
    statements += [
        f"INSERT INTO {DIRTY_KEY} (year, key) SELECT DISTINCT year, person_key FROM {PARTICIPANT_FACT} "
        "WHERE true ON CONFLICT DO NOTHING",
        f"INSERT INTO {DIRTY_CASE} (year, case_id) SELECT year, case_id FROM {CASE_FACT} WHERE true "
        "ON CONFLICT DO NOTHING",
        *_contribution_statements(+1),
        *_finish_statements(),
        _bump(f"SELECT CAST(year AS TEXT) AS s FROM {CASE_FACT} UNION SELECT 'all'"),
    ]
    return statements


def _cases_of(t: Tables, via: str, in_keys: str) -> str:
    """A query of the case ids that the rows with keys `in_keys` reach."""
    if via == "case":
        raise ValueError(via)
    if via in ("participation", "referral"):
        return f"SELECT case_id FROM {t.participation} WHERE id {in_keys}"
    if via == "person":
        return f"SELECT case_id FROM {t.participation} WHERE person_id {in_keys}"
    if via == "institution":
        return f"SELECT id FROM {t.case} WHERE owner_institution_id {in_keys}"
    if via == "term":
        return (
            f"SELECT case_id FROM {t.case_forms} WHERE referenceterm_id {in_keys} UNION "
            f"SELECT p.case_id FROM {t.participation_forms} pf JOIN {t.participation} p "
            f"ON p.id = pf.participation_id WHERE pf.referenceterm_id {in_keys}"
        )
    raise ValueError(via)


# --- SQLite: row triggers --------------------------------------------------------------------


# A write marks what it touched (`PendingMark`: a case, a participation, a person, a cluster, an
# institution, a term) and `flush` rewrites the cases those marks reach, facts and cells, in one
# set-based pass. Marks are mapped to cases when flushed, not when made, so that a participation
# moved to another case meanwhile is rewritten where it is (its own trigger marks the case it
# left). On PostgreSQL a deferred constraint trigger flushes at commit, so committed data is
# never marked; on SQLite, whose row triggers would otherwise rewrite once per row of a bulk
# import (several times slower), the marks stay until the next read. Either way every read of
# the statistics flushes first: the writing transaction's own reads, and on SQLite every read
# (one writer at a time, and the flush takes the write lock).

MARK_KINDS = {"case": "case", "participation": "participation", "person": "person",
              "cluster": "cluster", "institution": "institution", "term": "term"}  # fmt: skip


def _marks(kind: str) -> str:
    return f"SELECT id FROM {PENDING} WHERE kind = '{kind}'"


def _marked_cases(t: Tables) -> str:
    """The cases the marks reach, as the registry stands now."""
    return (
        f"{_marks('case')} "
        f"UNION SELECT case_id FROM {t.participation} WHERE id IN ({_marks('participation')}) "
        f"UNION SELECT case_id FROM {t.participation} WHERE person_id IN ({_marks('person')}) "
        f"UNION SELECT id FROM {t.case} WHERE owner_institution_id IN ({_marks('institution')}) "
        f"UNION {_cases_of(t, 'term', 'IN (' + _marks('term') + ')')}"
    )


def _sqlite_body(t: Tables, source: Source, keys: str) -> list[str]:
    if source.via == "plan":
        return [_bump_scope("plan")]
    if source.via == "referral":  # no fact changes; its victim's year does, read from the registry
        return [
            _bump(f"SELECT {_year('sqlite', 'c.reported_on')} AS s FROM {t.participation} p "
                  f"JOIN {t.case} c ON c.id = p.case_id WHERE p.id IN ({keys})")
        ]  # fmt: skip
    values = " UNION ".join(f"SELECT {k.strip()} AS x" for k in keys.split(","))
    statements = [
        f"INSERT INTO {PENDING} (kind, id) SELECT '{MARK_KINDS[source.via]}', x FROM ({values}) "
        "WHERE x IS NOT NULL ON CONFLICT DO NOTHING"
    ]
    if source.via == "term":
        statements.append(_bump_scope("all"))
    return statements


def flush_statements(t: Tables) -> list[str]:
    """Rewrite the cases and persons the marks reach, facts and cells, and clear the marks (SQLite)."""
    return [
        *change_statements("sqlite", t, PARTS, f"IN ({_marked_cases(t)})"),
        *recluster_statements(t, f"IN ({_marks('cluster')})"),
        f"DELETE FROM {PENDING}",
    ]


def pending(connection: Any) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {PENDING})")
        return bool(cursor.fetchone()[0])


def flush(connection: Any, t: Tables) -> bool:
    """Rewrite what the marks reach; True if there were any."""
    from django.db import transaction

    if connection.vendor not in ("sqlite", "postgresql") or not pending(connection):
        return False
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {PREFIX}flush_now()")
        else:
            for statement in flush_statements(t):
                cursor.execute(statement)
    return True


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
    def block(statements: list[str], indent: str = "  ") -> str:
        return "".join(f"{indent}{statement};\n" for statement in statements)

    def into_arrays(select: str, first: str, second: str, names: str) -> str:
        return (
            f"SELECT COALESCE(array_agg({first}), '{{}}'), COALESCE(array_agg({second}), '{{}}') INTO {names} "
            f"FROM ({select}) x"
        )

    ids = "= ANY(ids)"
    # The parts a call rewrites vary, so the rewrite is assembled from blocks guarded by IF.
    rewrite_parts = "".join(
        f"  IF '{part}' = ANY(parts) THEN\n{block(rewrite_statements('postgresql', t, part, ids), '    ')}"
        "  END IF;\n"
        for part in PARTS
    )
    zero = f"DELETE FROM {CELL} WHERE raw = 0 AND dedup = 0 AND year = ANY(dy || cy)"
    rebuild = block(rebuild_statements("postgresql", t))
    declare = "DECLARE dy integer[]; dk text[]; cy integer[] := '{}'; cc bigint[] := '{}';"
    return [
        f"""CREATE OR REPLACE FUNCTION {PREFIX}bump(scopes text[]) RETURNS void LANGUAGE sql AS $$
  {_bump("SELECT unnest(scopes) AS s")}
$$""",
        f"""CREATE OR REPLACE FUNCTION {PREFIX}rewrite(ids bigint[], parts text[]) RETURNS void
LANGUAGE plpgsql {_PG_PLANNER} AS $$
{declare}
BEGIN
  IF cardinality(ids) = 0 THEN RETURN; END IF;
  -- Persons first (a concurrent update of one of them is waited for), then the cases, then the years.
  IF 'participants' = ANY(parts) THEN
    PERFORM 1 FROM {t.person} WHERE id IN (SELECT person_id FROM {t.participation} WHERE case_id {ids})
      ORDER BY id FOR SHARE;
  END IF;
  PERFORM 1 FROM {CASE_FACT} WHERE case_id {ids} ORDER BY case_id FOR UPDATE;
  {_case_years_bump("postgresql", t, ids)};
  {into_arrays(_dirty_keys_of_cases("postgresql", t, ids), "year", "key", "dy, dk")};
  IF parts && ARRAY['case', 'forms', 'route'] THEN
    {into_arrays(_dirty_cases("postgresql", t, ids), "year", "case_id", "cy, cc")};
  END IF;
{block(_pg_contribution_statements(-1))}{rewrite_parts}{block(_pg_contribution_statements(+1))}  {zero};
END $$""",
        f"""CREATE OR REPLACE FUNCTION {PREFIX}recluster(persons bigint[]) RETURNS void
LANGUAGE plpgsql {_PG_PLANNER} AS $$
{declare}
BEGIN
  IF cardinality(persons) = 0 THEN RETURN; END IF;
  -- A concurrent rewrite that reads one of these persons waits, or is waited for.
  PERFORM 1 FROM {t.person} WHERE id = ANY(persons) ORDER BY id FOR NO KEY UPDATE;
  {_bump(f"SELECT year AS s FROM {PARTICIPANT_FACT} WHERE person_id = ANY(persons)")};
  {into_arrays(_dirty_keys_of_persons(t, "= ANY(persons)"), "year", "key", "dy, dk")};
{block(_pg_contribution_statements(-1))}  {_set_clusters(t, "= ANY(persons)")};
{block(_pg_contribution_statements(+1))}  {zero};
END $$""",
        f"""CREATE OR REPLACE FUNCTION {PREFIX}rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{rebuild}  RETURN NULL;
END $$""",
        f"""CREATE OR REPLACE FUNCTION {PREFIX}flush_now() RETURNS void LANGUAGE plpgsql AS $$
DECLARE cases bigint[]; persons bigint[];
BEGIN
  -- Marked participations are locked first, so that one moving to another case is seen there.
  PERFORM 1 FROM {t.participation} WHERE id IN ({_marks("participation")}) ORDER BY id FOR SHARE;
  cases := ARRAY(SELECT DISTINCT x FROM ({_marked_cases(t)}) m(x) WHERE x IS NOT NULL);
  persons := ARRAY({_marks("cluster")});
  DELETE FROM {PENDING};
  DELETE FROM {PENDING_FLAG};
  PERFORM {PREFIX}rewrite(cases, {ALL_PARTS});
  PERFORM {PREFIX}recluster(persons);
END $$""",
        f"""CREATE OR REPLACE FUNCTION {PREFIX}flush() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM {PREFIX}flush_now();
  RETURN NULL;
END $$""",
    ]


def _pg_keys(source: Source, event: str) -> str:
    if event == "insert":
        return f"SELECT {source.key} FROM new_rows"
    if event == "delete":
        return f"SELECT {source.key} FROM old_rows"
    if not source.compare:
        return f"SELECT {source.key} FROM new_rows UNION ALL SELECT {source.key} FROM old_rows"
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
    if source.via == "referral":
        # No fact changes; its victim's year does. Lock the participations first, so that one
        # moving to another case is seen there.
        action = (
            f"PERFORM 1 FROM {t.participation} WHERE id = ANY(keys) ORDER BY id FOR SHARE;\n  "
            f"PERFORM {PREFIX}bump(ARRAY(SELECT CAST({_year('postgresql', 'c.reported_on')} AS text) "
            f"FROM {t.participation} p JOIN {t.case} c ON c.id = p.case_id WHERE p.id = ANY(keys)));"
        )
    else:
        action = (
            f"INSERT INTO {PENDING} (kind, id) SELECT '{MARK_KINDS[source.via]}', unnest(keys) "
            "ON CONFLICT DO NOTHING;\n  "
            f"INSERT INTO {PENDING_FLAG} (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;"
        )
        if source.via == "term":
            action += f"\n  PERFORM {PREFIX}bump(ARRAY['all']);"
    return f"DECLARE keys bigint[];\nBEGIN\n  {keys}\n  IF cardinality(keys) = 0 THEN RETURN NULL; END IF;\n  {action}\n  RETURN NULL;\nEND"


def pg_statements(t: Tables) -> tuple[list[str], dict[str, list[str]]]:
    """(shared functions, trigger name → the statements creating its function and trigger)."""
    triggers: dict[str, list[str]] = {}
    rebuilt = {
        "case",
        "caseform",
        "route",
        "part",
        "partform",
        "proc",
        "person",
        "cluster",
        "inst",
        "term",
    }

    for source in sources(t):
        if source.via == "plan":
            name = f"{PREFIX}{source.name}"
            triggers[name] = [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"PERFORM {PREFIX}bump(ARRAY['plan']); RETURN NULL; END $$",
                f'CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{source.table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
            continue
        for event, referencing in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        ):
            if event not in source.events:
                continue
            name = f"{PREFIX}{source.name}_{event}"
            triggers[name] = [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"{_pg_trigger_body(t, source, event)} $$",
                f'CREATE TRIGGER {name} AFTER {event.upper()} ON "{source.table}" REFERENCING {referencing} '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
        name = f"{PREFIX}{source.name}_truncate"
        if source.name in rebuilt:
            triggers[name] = [
                f'CREATE TRIGGER {name} AFTER TRUNCATE ON "{source.table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}rebuild()"
            ]
        else:  # a referral: no fact, every year
            triggers[name] = [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"PERFORM {PREFIX}bump(ARRAY['all']); RETURN NULL; END $$",
                f'CREATE TRIGGER {name} AFTER TRUNCATE ON "{source.table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
    # At commit, once per transaction that marked anything.
    name = f"{PREFIX}commit"
    triggers[name] = [
        f'CREATE CONSTRAINT TRIGGER {name} AFTER INSERT ON "{PENDING_FLAG}" DEFERRABLE INITIALLY DEFERRED '
        f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}flush()"
    ]
    return _pg_functions(t), triggers


# --- installing, checking, rebuilding ----------------------------------------------------------


def expected_triggers(vendor: str, t: Tables) -> set[str]:
    if vendor == "postgresql":
        return set(pg_statements(t)[1])
    if vendor == "sqlite":
        return set(sqlite_triggers(t))
    return set()


def installed_triggers(connection: Any) -> set[str]:
    return triggers_named(connection, PREFIX)


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
