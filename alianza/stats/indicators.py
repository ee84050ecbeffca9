"""The indicator engine: national counts and breakdowns computed in DuckDB from plain tables.

Django-free. The caller hands over a `StatsData` of pandas DataFrames (or anything DuckDB can
scan: Arrow tables, Parquet files through a relation) with these columns:

* ``cases``: case_id, year, crime_type, department, institution
* ``participants``: record_id, case_id, person_id, role (victim, suspect, ...), sex (F, M or
  null), age (whole years when trafficked or at the complaint, or null), citizenship (ISO alpha-3),
  prosecuted (bool), convicted (bool). One row per person per case, as each agency recorded it.
* ``exploitation``: case_id, form (code of the form of exploitation)
* ``route``: case_id, position, event_type (Recruitment, Transit, Exploitation), country
* ``clusters``: person_id, cluster_id. Filled by linkage: records of one natural person share a
  cluster. A person without a row is a cluster of their own (never the same as a named cluster).

Record ids are unique, and so are case ids; a person has at most one cluster.

Every count comes in two columns: ``raw`` counts records as the agencies registered them (a
victim known to the police and to an NGO counts twice) and ``deduplicated`` counts person
clusters (once). Cases are not linked across agencies, so their two columns agree.

A deduplicated person takes the first known value (by year, then record) of sex, age and
citizenship, so that one person falls in exactly one cell of those breakdowns. Multi-valued
breakdowns (form of exploitation, department, institution, country of exploitation) count a
person in every category they were recorded in, as GLOTIP asks.

`IndicatorEngine.year_figures` computes every count, breakdown and flow of one year in a handful
of queries and returns them as a `YearFigures`, which answers the same questions as the engine
(`totals`, `breakdown`, `flows`, ...) from memory, and can be cached. The engine's own methods
are the reference the figures are tested against.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import duckdb
import pandas as pd
import pyarrow as pa

MEASURES = ("cases", "victims", "suspects", "prosecuted", "convicted")
BREAKDOWNS = (
    "sex_age",
    "sex",
    "exploitation",
    "citizenship",
    "country_of_exploitation",
    "department",
    "institution",
    "crime_type",
)
SEX_AGE_GROUPS = ("women", "men", "girls", "boys", "unknown")
ADULT_AGE = 18

_COLUMNS: dict[str, dict[str, str]] = {
    "cases": {"case_id": "BIGINT", "year": "INTEGER", "crime_type": "VARCHAR", "department": "VARCHAR", "institution": "VARCHAR"},
    "participants": {
        "record_id": "BIGINT", "case_id": "BIGINT", "person_id": "BIGINT", "role": "VARCHAR", "sex": "VARCHAR",
        "age": "INTEGER", "citizenship": "VARCHAR", "prosecuted": "BOOLEAN", "convicted": "BOOLEAN",
    },
    "exploitation": {"case_id": "BIGINT", "form": "VARCHAR"},
    "route": {"case_id": "BIGINT", "position": "INTEGER", "event_type": "VARCHAR", "country": "VARCHAR"},
    "clusters": {"person_id": "BIGINT", "cluster_id": "VARCHAR"},
}  # fmt: skip


def empty_frame(table: str) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in _COLUMNS[table]})


class Indicators(Protocol):
    """What the tables, charts and plan computations ask: an `IndicatorEngine` or `YearFigures`."""

    def yearly_counts(self) -> pd.DataFrame: ...

    def totals(self, *, year: int) -> dict[str, tuple[int, int]]: ...

    def breakdown(self, *, year: int, by: str, measure: str = "victims") -> pd.DataFrame: ...

    def flows(self, *, year: int) -> pd.DataFrame: ...


@dataclass
class StatsData:
    cases: pd.DataFrame = field(default_factory=lambda: empty_frame("cases"))
    participants: pd.DataFrame = field(default_factory=lambda: empty_frame("participants"))
    exploitation: pd.DataFrame = field(default_factory=lambda: empty_frame("exploitation"))
    route: pd.DataFrame = field(default_factory=lambda: empty_frame("route"))
    clusters: pd.DataFrame = field(default_factory=lambda: empty_frame("clusters"))


# Participants of a year's cases, with the person cluster and the role-based flags.
_RECORDS_SQL = """
CREATE TEMP TABLE measured AS
WITH records AS MATERIALIZED (
    SELECT p.record_id, p.case_id, c.year, c.crime_type, c.department, c.institution,
           p.sex, p.age, p.citizenship, p.role, coalesce(p.prosecuted, false) AS prosecuted,
           coalesce(p.convicted, false) AS convicted,
           -- The person's cluster, or the person alone; the prefixes keep the two kinds apart.
           CASE WHEN k.cluster_id IS NULL THEN 'p' || p.person_id::VARCHAR ELSE 'c' || k.cluster_id END
               AS cluster_id
    FROM participants p JOIN cases c USING (case_id) LEFT JOIN clusters k USING (person_id)
    WHERE p.role IN ('victim', 'suspect')
)
SELECT * EXCLUDE (role, prosecuted, convicted), 'victims' AS measure FROM records WHERE role = 'victim'
UNION ALL SELECT * EXCLUDE (role, prosecuted, convicted), 'suspects' FROM records WHERE role = 'suspect'
UNION ALL SELECT * EXCLUDE (role, prosecuted, convicted), 'prosecuted' FROM records WHERE role = 'suspect' AND prosecuted
UNION ALL SELECT * EXCLUDE (role, prosecuted, convicted), 'convicted' FROM records WHERE role = 'suspect' AND convicted;

-- One row per cluster, measure and year with the first known personal attributes.
CREATE TEMP TABLE persons AS
SELECT measure, year, cluster_id, count(*) AS records,
       arg_min(sex, record_id) FILTER (WHERE sex IS NOT NULL) AS sex,
       arg_min(age, record_id) FILTER (WHERE age IS NOT NULL) AS age,
       arg_min(citizenship, record_id) FILTER (WHERE citizenship IS NOT NULL AND citizenship <> '') AS citizenship
FROM measured GROUP BY ALL;
"""

_SEX_AGE = f"""CASE
  WHEN sex = 'F' AND age >= {ADULT_AGE} THEN 'women' WHEN sex = 'M' AND age >= {ADULT_AGE} THEN 'men'
  WHEN sex = 'F' AND age < {ADULT_AGE} THEN 'girls' WHEN sex = 'M' AND age < {ADULT_AGE} THEN 'boys'
  ELSE 'unknown' END"""


_FLOWS_SQL = """
WITH ends AS (
    SELECT case_id,
           arg_min(country, position) AS origin,
           arg_min(country, position) FILTER (WHERE event_type = 'Exploitation') AS destination
    FROM route GROUP BY case_id
)
SELECT origin, destination, count(DISTINCT m.record_id) AS raw,
       count(DISTINCT m.cluster_id) AS deduplicated
FROM measured m JOIN ends USING (case_id)
WHERE m.measure = 'victims' AND m.year = ? AND destination IS NOT NULL
GROUP BY origin, destination ORDER BY raw DESC, origin, destination
"""

# Every breakdown of every measure of persons for one year ($year), in one statement.
#
# Raw counts are plain counts of records (forms of exploitation and countries are made distinct
# per case first, so each record is in a category at most once). A person's own attributes
# (sex, age, citizenship) are deduplicated from `persons`, where each cluster has one value. The
# other breakdowns count each cluster once in every category it was recorded in, as
# `IndicatorEngine.breakdown` does with count(DISTINCT cluster_id); here that is the raw count
# less the records beyond a person's first in the category, which only persons recorded more
# than once under the measure can have, so no distinct count runs over every record.
_OWN = ("sex_age", "sex", "citizenship")


def _union(template: str, names: tuple[str, ...]) -> str:
    return "\n    UNION ALL ".join(template.format(name=name) for name in names)


_PEOPLE_BREAKDOWNS_SQL = f"""
WITH m AS MATERIALIZED (
    SELECT measure, record_id, cluster_id, case_id,
           coalesce(nullif(department, ''), 'unknown') AS department, institution, crime_type,
           {
    _SEX_AGE
} AS sex_age, coalesce(sex, 'unknown') AS sex, coalesce(citizenship, 'unknown') AS citizenship
    FROM measured WHERE year = $year
), repeated AS MATERIALIZED (
    SELECT m.* FROM m JOIN persons p USING (measure, cluster_id)
    WHERE p.year = $year AND p.records > 1
), forms AS MATERIALIZED (
    SELECT DISTINCT case_id, form AS category FROM exploitation
), countries AS MATERIALIZED (
    SELECT DISTINCT case_id, country AS category FROM route WHERE event_type = 'Exploitation'
), raw AS (
    {
    _union(
        "SELECT measure, '{name}' AS breakdown, {name} AS category, count(*) AS n FROM m GROUP BY ALL",
        ("department", "institution", "crime_type", *_OWN),
    )
}
    UNION ALL SELECT m.measure, 'exploitation', f.category, count(*) FROM m JOIN forms f USING (case_id) GROUP BY ALL
    UNION ALL SELECT m.measure, 'country_of_exploitation', c.category, count(*)
              FROM m JOIN countries c USING (case_id) GROUP BY ALL
), extra AS (
    SELECT measure, breakdown, category, sum(n - 1) AS n FROM (
        {
    _union(
        "SELECT measure, '{name}' AS breakdown, {name} AS category, cluster_id, count(*) AS n "
        "FROM repeated GROUP BY ALL",
        ("department", "institution", "crime_type"),
    )
}
        UNION ALL SELECT r.measure, 'exploitation', f.category, r.cluster_id, count(*)
                  FROM repeated r JOIN forms f USING (case_id) GROUP BY ALL
        UNION ALL SELECT r.measure, 'country_of_exploitation', c.category, r.cluster_id, count(*)
                  FROM repeated r JOIN countries c USING (case_id) GROUP BY ALL
    ) WHERE n > 1 GROUP BY ALL
), own AS (
    SELECT measure, {_SEX_AGE} AS sex_age, coalesce(sex, 'unknown') AS sex,
           coalesce(citizenship, 'unknown') AS citizenship
    FROM persons WHERE year = $year
), dedup AS (
    {
    _union(
        "SELECT measure, '{name}' AS breakdown, {name} AS category, count(*) AS n FROM own GROUP BY ALL",
        _OWN,
    )
}
), shared AS (
    SELECT r.measure, r.breakdown, r.category, r.n AS raw, r.n - coalesce(e.n, 0) AS deduplicated
    FROM raw r LEFT JOIN extra e ON e.measure = r.measure AND e.breakdown = r.breakdown
                                 AND e.category IS NOT DISTINCT FROM r.category
    WHERE r.breakdown NOT IN {_OWN}
)
SELECT measure, breakdown AS by, category, raw, deduplicated FROM shared
UNION ALL
SELECT measure, breakdown, category, coalesce(r.n, 0), coalesce(d.n, 0)
FROM (SELECT * FROM raw WHERE breakdown IN {
    _OWN
}) r FULL JOIN dedup d USING (measure, breakdown, category)
"""  # noqa: S608 (built from constants)

# Case ids are unique, and forms and countries are made distinct per case: plain counts suffice.
_CASE_BREAKDOWNS_SQL = """
WITH year_cases AS MATERIALIZED (SELECT case_id, department, institution, crime_type FROM cases WHERE year = $year),
long AS (
    SELECT 'department' AS breakdown, coalesce(nullif(department, ''), 'unknown') AS category FROM year_cases
    UNION ALL SELECT 'institution', institution FROM year_cases
    UNION ALL SELECT 'crime_type', crime_type FROM year_cases
    UNION ALL SELECT 'exploitation', f.form
              FROM year_cases c JOIN (SELECT DISTINCT case_id, form FROM exploitation) f USING (case_id)
    UNION ALL SELECT 'country_of_exploitation', r.country FROM year_cases c
              JOIN (SELECT DISTINCT case_id, country FROM route WHERE event_type = 'Exploitation') r USING (case_id)
)
SELECT 'cases' AS measure, breakdown AS by, category, count(*) AS raw, count(*) AS deduplicated
FROM long GROUP BY ALL
"""


# Flows for `year_figures`: as `_FLOWS_SQL`, without a distinct count over every record.
_YEAR_FLOWS_SQL = """
WITH ends AS MATERIALIZED (
    SELECT case_id,
           arg_min(country, position) AS origin,
           arg_min(country, position) FILTER (WHERE event_type = 'Exploitation') AS destination
    FROM route GROUP BY case_id
), victims AS MATERIALIZED (
    SELECT m.record_id, m.cluster_id, p.records, e.origin, e.destination
    FROM measured m JOIN ends e USING (case_id) JOIN persons p USING (measure, year, cluster_id)
    WHERE m.measure = 'victims' AND m.year = $year AND e.destination IS NOT NULL
), raw AS (
    SELECT origin, destination, count(*) AS raw FROM victims GROUP BY ALL
), extra AS (
    SELECT origin, destination, sum(n - 1) AS n FROM (
        SELECT origin, destination, cluster_id, count(*) AS n FROM victims WHERE records > 1 GROUP BY ALL
    ) GROUP BY ALL
)
SELECT origin, destination, raw, raw - coalesce(e.n, 0) AS deduplicated
FROM raw r LEFT JOIN extra e USING (origin, destination)
ORDER BY raw DESC, origin, destination
"""


class IndicatorEngine:
    """Runs the indicator queries over one `StatsData`; reuse it for many queries."""

    def __init__(self, data: StatsData) -> None:
        self.con = duckdb.connect()
        for table, columns in _COLUMNS.items():
            frame = getattr(data, table)
            names = frame.column_names if isinstance(frame, pa.Table) else frame.columns
            missing = set(columns) - set(names)
            if missing:
                raise ValueError(f"{table} lacks columns {sorted(missing)}")
            self.con.register(f"_{table}_src", frame)
            casts = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in columns.items())
            self.con.execute(f"CREATE TEMP VIEW {table} AS SELECT {casts} FROM _{table}_src")  # noqa: S608
        self.con.execute(_RECORDS_SQL)

    def close(self) -> None:
        self.con.close()

    def _frame(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    # --- counts -------------------------------------------------------------------------------

    def yearly_counts(self) -> pd.DataFrame:
        """year, measure, raw, deduplicated for every year with data."""
        frame = self._frame(
            """
            SELECT year, 'cases' AS measure, count(*) AS raw, count(*) AS deduplicated FROM cases GROUP BY year
            UNION ALL
            SELECT year, measure, count(*) AS raw, count(DISTINCT cluster_id) AS deduplicated
            FROM measured GROUP BY year, measure
            ORDER BY year, measure
            """
        )
        return frame.astype({"raw": "int64", "deduplicated": "int64"})

    def totals(self, *, year: int) -> dict[str, tuple[int, int]]:
        """measure → (raw, deduplicated) for one year, every measure present (0 when absent)."""
        frame = self.yearly_counts()
        frame = frame[frame["year"] == year]
        rows: list[Any] = list(frame.itertuples())
        found = {row.measure: (int(row.raw), int(row.deduplicated)) for row in rows}
        return {measure: found.get(measure, (0, 0)) for measure in MEASURES}

    def breakdown(self, *, year: int, by: str, measure: str = "victims") -> pd.DataFrame:
        """category, raw, deduplicated for one year; categories in a stable order."""
        if by not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {by!r}; choose one of {', '.join(BREAKDOWNS)}")
        if measure not in MEASURES:
            raise ValueError(f"unknown measure {measure!r}")
        if measure == "cases":
            return self._case_breakdown(year=year, by=by)
        if by in ("sex_age", "sex", "citizenship"):
            category = {
                "sex_age": _SEX_AGE,
                "sex": "coalesce(sex, 'unknown')",
                "citizenship": "coalesce(citizenship, 'unknown')",
            }[by]
            # Raw: each record with its own attributes; deduplicated: each cluster once.
            sql = f"""
            WITH raw AS (SELECT {category} AS category, count(*) AS n FROM measured
                         WHERE measure = ? AND year = ? GROUP BY 1),
                 dedup AS (SELECT {category} AS category, count(*) AS n FROM persons
                           WHERE measure = ? AND year = ? GROUP BY 1)
            SELECT category, coalesce(raw.n, 0) AS raw, coalesce(dedup.n, 0) AS deduplicated
            FROM raw FULL JOIN dedup USING (category) ORDER BY category
            """  # noqa: S608
            params: list[Any] = [measure, year, measure, year]
        else:
            source = {
                "exploitation": "SELECT m.*, e.form AS category FROM measured m JOIN exploitation e USING (case_id)",
                "country_of_exploitation": (
                    "SELECT DISTINCT m.*, r.country AS category FROM measured m JOIN route r USING (case_id) "
                    "WHERE r.event_type = 'Exploitation'"
                ),
                "department": "SELECT *, coalesce(nullif(department, ''), 'unknown') AS category FROM measured",
                "institution": "SELECT *, institution AS category FROM measured",
                "crime_type": "SELECT *, crime_type AS category FROM measured",
            }[by]
            sql = f"""
            SELECT category, count(DISTINCT record_id) AS raw, count(DISTINCT cluster_id) AS deduplicated
            FROM ({source}) WHERE measure = ? AND year = ? GROUP BY category ORDER BY category
            """  # noqa: S608
            params = [measure, year]
        frame = self._frame(sql, params)
        if by == "sex_age":
            frame = self._in_order(frame, SEX_AGE_GROUPS)
        return frame.astype({"raw": "int64", "deduplicated": "int64"})

    def _case_breakdown(self, *, year: int, by: str) -> pd.DataFrame:
        source = {
            "exploitation": "SELECT c.case_id, c.year, e.form AS category FROM cases c JOIN exploitation e USING (case_id)",
            "country_of_exploitation": (
                "SELECT DISTINCT c.case_id, c.year, r.country AS category FROM cases c JOIN route r USING (case_id) "
                "WHERE r.event_type = 'Exploitation'"
            ),
            "department": "SELECT case_id, year, coalesce(nullif(department, ''), 'unknown') AS category FROM cases",
            "institution": "SELECT case_id, year, institution AS category FROM cases",
            "crime_type": "SELECT case_id, year, crime_type AS category FROM cases",
        }.get(by)
        if source is None:
            raise ValueError(f"cases have no breakdown by {by}")
        frame = self._frame(
            f"SELECT category, count(DISTINCT case_id) AS raw, count(DISTINCT case_id) AS deduplicated "  # noqa: S608
            f"FROM ({source}) WHERE year = ? GROUP BY category ORDER BY category",
            [year],
        )
        return frame.astype({"raw": "int64", "deduplicated": "int64"})

    def sex_by_measure(
        self, *, year: int, measures: tuple[str, ...] = ("suspects", "prosecuted", "convicted")
    ) -> pd.DataFrame:
        """GLOTIP's persons suspected, prosecuted and convicted by sex: measure, sex, raw, deduplicated."""
        frames = []
        for measure in measures:
            part = self.breakdown(year=year, by="sex", measure=measure)
            part.insert(0, "measure", measure)
            frames.append(part)
        return pd.concat(frames, ignore_index=True)

    def flows(self, *, year: int) -> pd.DataFrame:
        """origin, destination, raw, deduplicated victims: first place on the route → first place of exploitation."""
        return self._frame(_FLOWS_SQL, [year]).astype({"raw": "int64", "deduplicated": "int64"})

    def year_figures(self, *, year: int) -> YearFigures:
        """Every count, breakdown and flow of `year`, in a few passes over the year's records."""
        params = {"year": year}
        counts = self._frame(
            """
            SELECT 'cases' AS measure, count(*) AS raw, count(*) AS deduplicated FROM cases WHERE year = $year
            UNION ALL
            SELECT measure, sum(records), count(*) FROM persons WHERE year = $year GROUP BY measure
            """,
            params,
        )
        people = self._frame(_PEOPLE_BREAKDOWNS_SQL, params)
        cases = self._frame(_CASE_BREAKDOWNS_SQL, params)
        return YearFigures(
            year=year,
            counts=counts.astype({"raw": "int64", "deduplicated": "int64"}),
            breakdowns=pd.concat([people, cases], ignore_index=True).astype(
                {"raw": "int64", "deduplicated": "int64"}
            ),
            flow_table=self._frame(_YEAR_FLOWS_SQL, params).astype(
                {"raw": "int64", "deduplicated": "int64"}
            ),
        )

    def victim_microdata(self) -> pd.DataFrame:
        """One row per deduplicated victim and year, with the attributes CTDC publishes."""
        return self._frame(
            f"""
            WITH forms AS (
                SELECT m.cluster_id, m.year, list(DISTINCT e.form) AS forms
                FROM measured m JOIN exploitation e USING (case_id) WHERE m.measure = 'victims' GROUP BY ALL
            ), countries AS (
                SELECT m.cluster_id, m.year, min(r.country) AS country
                FROM measured m JOIN route r USING (case_id)
                WHERE m.measure = 'victims' AND r.event_type = 'Exploitation' GROUP BY ALL
            )
            SELECT p.year, p.sex, p.age, p.citizenship, {_SEX_AGE} AS sex_age,
                   coalesce(f.forms, []) AS forms, c.country AS country_of_exploitation
            FROM persons p LEFT JOIN forms f USING (cluster_id, year) LEFT JOIN countries c USING (cluster_id, year)
            WHERE p.measure = 'victims' ORDER BY p.year, p.cluster_id
            """  # noqa: S608
        )

    @staticmethod
    def _in_order(frame: pd.DataFrame, order: tuple[str, ...]) -> pd.DataFrame:
        found: dict[str, tuple[int, int]] = {
            str(c): (int(r), int(d))
            for c, r, d in zip(frame["category"], frame["raw"], frame["deduplicated"], strict=True)
        }
        rows = [(c, *found.get(c, (0, 0))) for c in order]
        return pd.DataFrame(rows, columns=["category", "raw", "deduplicated"])


@dataclass
class YearFigures:
    """Every count, breakdown and flow of one year, as `IndicatorEngine.year_figures` computed them.

    Answers the engine's questions for that year from memory; small enough to cache.
    """

    year: int
    counts: pd.DataFrame  # measure, raw, deduplicated
    breakdowns: pd.DataFrame  # measure, by, category, raw, deduplicated
    flow_table: pd.DataFrame  # origin, destination, raw, deduplicated

    def _check(self, year: int) -> None:
        if year != self.year:
            raise ValueError(f"these are the figures of {self.year}, not {year}")

    def yearly_counts(self) -> pd.DataFrame:
        frame = self.counts.copy()
        frame.insert(0, "year", self.year)
        return frame.sort_values("measure", ignore_index=True)

    def totals(self, *, year: int) -> dict[str, tuple[int, int]]:
        self._check(year)
        rows: list[Any] = list(self.counts.itertuples())
        found = {row.measure: (int(row.raw), int(row.deduplicated)) for row in rows}
        return {measure: found.get(measure, (0, 0)) for measure in MEASURES}

    def breakdown(self, *, year: int, by: str, measure: str = "victims") -> pd.DataFrame:
        self._check(year)
        if by not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {by!r}; choose one of {', '.join(BREAKDOWNS)}")
        if measure not in MEASURES:
            raise ValueError(f"unknown measure {measure!r}")
        if measure == "cases" and by in ("sex_age", "sex", "citizenship"):
            raise ValueError(f"cases have no breakdown by {by}")
        b = self.breakdowns
        frame = b.loc[
            (b["measure"] == measure) & (b["by"] == by), ["category", "raw", "deduplicated"]
        ]
        frame = frame.sort_values("category", na_position="last", ignore_index=True)
        if by == "sex_age":
            frame = IndicatorEngine._in_order(frame, SEX_AGE_GROUPS)
        return frame.astype({"raw": "int64", "deduplicated": "int64"})

    def sex_by_measure(
        self, *, year: int, measures: tuple[str, ...] = ("suspects", "prosecuted", "convicted")
    ) -> pd.DataFrame:
        frames = []
        for measure in measures:
            part = self.breakdown(year=year, by="sex", measure=measure)
            part.insert(0, "measure", measure)
            frames.append(part)
        return pd.concat(frames, ignore_index=True)

    def flows(self, *, year: int) -> pd.DataFrame:
        self._check(year)
        return self.flow_table.copy()


def all_indicators(engine: IndicatorEngine | YearFigures, *, year: int) -> dict[str, Any]:
    """Every count and breakdown for one year: what the dashboard, GLOTIP and the report draw on."""
    if isinstance(engine, IndicatorEngine):
        engine = engine.year_figures(year=year)
    out: dict[str, Any] = {"totals": engine.totals(year=year), "flows": engine.flows(year=year)}
    for by in BREAKDOWNS:
        out[f"victims_by_{by}"] = engine.breakdown(year=year, by=by)
    for measure in ("suspects", "prosecuted", "convicted"):
        for by in ("sex", "citizenship", "crime_type"):
            out[f"{measure}_by_{by}"] = engine.breakdown(year=year, by=by, measure=measure)
    for by in (
        "exploitation",
        "country_of_exploitation",
        "department",
        "institution",
        "crime_type",
    ):
        out[f"cases_by_{by}"] = engine.breakdown(year=year, by=by, measure="cases")
    return out


@contextmanager
def engine_for(data: StatsData) -> Iterator[IndicatorEngine]:
    engine = IndicatorEngine(data)
    try:
        yield engine
    finally:
        engine.close()
