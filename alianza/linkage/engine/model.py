"""The linkage model: comparisons for Latin American person records, blocking, parameters.

The model is Fellegi–Sunter as implemented by Splink. Each comparison below is an ordered list
of levels; a pair of records falls into the first level whose condition holds, and each level
carries m (how often true matches fall there) and u (how often non-matches do). The SQL is kept
to plain equality, NULL tests and `abs`, plus Splink's own Jaro–Winkler and Levenshtein levels,
which Splink translates for each engine, so the same model runs on DuckDB and on Spark.

A `LinkageModel` holds the parameters and serialises to versioned JSON, so that any result can
be explained later with the exact model that produced it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator

from alianza.linkage.engine.errors import ModelFileError

MODEL_FORMAT = "alianza.linkage.model"
MODEL_VERSION = 2
DEFAULT_THRESHOLD = 0.5

LinkType = Literal["link_only", "link_and_dedupe", "dedupe_only"]
Level = Callable[[str], Any]  # builds a Splink ComparisonLevelCreator for a SQL dialect


@dataclass(frozen=True, slots=True)
class LevelSpec:
    label: str
    build: Level
    tf_column: str | None = None
    is_null: bool = False


def _sql(condition: str) -> Level:
    return lambda dialect: cll.CustomLevel(condition)


def _jaro_winkler(dialect: str, left: str, right: str) -> str:
    """Jaro–Winkler between two different columns (Splink's own levels compare one column)."""
    function = "jaro_winkler" if dialect == "spark" else "jaro_winkler_similarity"
    return f"{function}({left}, {right})"


def _fields_swapped(dialect: str) -> str:
    """Given name typed into the surname field and the surname into the given-name field."""
    return (
        f"{_jaro_winkler(dialect, 'given1_l', 'sur1_r')} >= 0.88 AND "
        f"{_jaro_winkler(dialect, 'sur1_l', 'given1_r')} >= 0.88"
    )


def _similar(column: str, phonetic: str | None, threshold: float) -> Any:
    """Jaro–Winkler above `threshold`, or the same Spanish phonetic key."""
    parts: list[Any] = [cll.JaroWinklerLevel(column, threshold)]
    if phonetic:
        parts.append(cll.CustomLevel(f"{phonetic}_l = {phonetic}_r"))
    return cll.Or(*parts) if len(parts) > 1 else parts[0]


_SECOND_MISSING = "(sur2_l IS NULL OR sur2_r IS NULL)"


def _crosswise(dialect: str, left: str, right: str) -> str:
    """A surname of one record in the other place of the other: exact, phonetic or JW ≥ 0.9."""
    left_ph, right_ph = left.replace("_l", "_ph_l"), right.replace("_r", "_ph_r")
    return (
        f"{left} = {right} OR {left_ph} = {right_ph} "
        f"OR {_jaro_winkler(dialect, left, right)} >= 0.9"
    )


COMPARISONS: dict[str, tuple[LevelSpec, ...]] = {
    "surnames": (
        LevelSpec("null", _sql("sur1_l IS NULL OR sur1_r IS NULL"), is_null=True),
        LevelSpec("both exact", _sql("sur1_l = sur1_r AND sur2_l = sur2_r"), tf_column="sur1"),
        LevelSpec("swapped", _sql("sur1_l = sur2_r AND sur2_l = sur1_r")),
        # Counted once, by the given-name comparison; here it must weigh nothing either way.
        LevelSpec(
            "swapped with given name",
            lambda d: cll.CustomLevel(_fields_swapped(d)),
            is_null=True,
        ),
        LevelSpec(
            "first exact, second missing",
            _sql(f"sur1_l = sur1_r AND {_SECOND_MISSING}"),
            tf_column="sur1",
        ),
        LevelSpec(
            "both similar",
            lambda d: cll.And(_similar("sur1", "sur1_ph", 0.88), _similar("sur2", "sur2_ph", 0.88)),
        ),
        LevelSpec(
            "first similar, second missing",
            lambda d: cll.And(_similar("sur1", "sur1_ph", 0.88), cll.CustomLevel(_SECOND_MISSING)),
        ),
        LevelSpec(
            "swapped, similar",
            lambda d: cll.CustomLevel(
                f"({_crosswise(d, 'sur1_l', 'sur2_r')}) AND ({_crosswise(d, 'sur2_l', 'sur1_r')})"
            ),
        ),
        # The paternal surname dropped and the maternal one written first (or the other way).
        LevelSpec(
            "one shared crosswise, other missing",
            lambda d: cll.CustomLevel(
                f"(sur2_l IS NULL AND ({_crosswise(d, 'sur1_l', 'sur2_r')})) "
                f"OR (sur2_r IS NULL AND ({_crosswise(d, 'sur2_l', 'sur1_r')}))"
            ),
        ),
        LevelSpec(
            "one shared crosswise",
            lambda d: cll.CustomLevel(
                f"({_crosswise(d, 'sur1_l', 'sur2_r')}) OR ({_crosswise(d, 'sur2_l', 'sur1_r')})"
            ),
        ),
        LevelSpec("first exact, second differs", _sql("sur1_l = sur1_r"), tf_column="sur1"),
        # A typo or variant that moved the paternal surname past "similar", the maternal intact.
        LevelSpec("second exact, first differs", _sql("sur2_l = sur2_r")),
        LevelSpec("else", lambda d: cll.ElseLevel()),
    ),
    "given_names": (
        LevelSpec("null", _sql("given1_l IS NULL OR given1_r IS NULL"), is_null=True),
        LevelSpec("exact", _sql("given_full_l = given_full_r"), tf_column="given_full"),
        LevelSpec("swapped with surname", lambda d: cll.CustomLevel(_fields_swapped(d))),
        LevelSpec(
            "first exact, rest missing",
            _sql("given1_l = given1_r AND (given2_l IS NULL OR given2_r IS NULL)"),
            tf_column="given1",
        ),
        LevelSpec("similar", lambda d: cll.JaroWinklerLevel("given_full", 0.92)),
        LevelSpec("first exact", _sql("given1_l = given1_r"), tf_column="given1"),
        LevelSpec("first similar", lambda d: _similar("given1", "given1_ph", 0.88)),
        LevelSpec("crosswise", _sql("given1_l = given2_r OR given2_l = given1_r")),
        LevelSpec("else", lambda d: cll.ElseLevel()),
    ),
    "birth_date": (
        LevelSpec("null", _sql("dob_y_l IS NULL OR dob_y_r IS NULL"), is_null=True),
        LevelSpec("exact", _sql("dob_l = dob_r")),
        LevelSpec(
            "day and month swapped",
            _sql("dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r"),
        ),
        LevelSpec(
            "partial, agrees",
            _sql(
                "dob_y_l = dob_y_r AND (dob_m_l IS NULL OR dob_m_r IS NULL OR "
                "(dob_m_l = dob_m_r AND (dob_d_l IS NULL OR dob_d_r IS NULL)))"
            ),
        ),
        # A year off by one with the same day and month (1959-03-18, 1960-03-18).
        LevelSpec(
            "same day and month, year within 1",
            _sql("abs(dob_yi_l - dob_yi_r) <= 1 AND dob_m_l = dob_m_r AND dob_d_l = dob_d_r"),
        ),
        LevelSpec("one edit", lambda d: cll.LevenshteinLevel("dob", 1)),
        LevelSpec("same year and month", _sql("dob_y_l = dob_y_r AND dob_m_l = dob_m_r")),
        LevelSpec("same year", _sql("dob_y_l = dob_y_r")),
        LevelSpec("years within 2", _sql("abs(dob_yi_l - dob_yi_r) <= 2")),
        LevelSpec("else", lambda d: cll.ElseLevel()),
    ),
    "document": (
        LevelSpec("null", _sql("doc_l IS NULL OR doc_r IS NULL"), is_null=True),
        LevelSpec("exact", _sql("doc_l = doc_r")),
        LevelSpec("one edit", lambda d: cll.DamerauLevenshteinLevel("doc", 1)),
        # A passport on one side and an identity card on the other: different numbers by
        # nature, so no evidence either way.
        LevelSpec("different kinds", _sql("doc_kind_l <> doc_kind_r"), is_null=True),
        LevelSpec("else", lambda d: cll.ElseLevel()),
    ),
    "sex": (
        LevelSpec("null", _sql("sex_l IS NULL OR sex_r IS NULL"), is_null=True),
        LevelSpec("exact", _sql("sex_l = sex_r")),
        LevelSpec("else", lambda d: cll.ElseLevel()),
    ),
    "nationality": (
        LevelSpec("null", _sql("nationality_l IS NULL OR nationality_r IS NULL"), is_null=True),
        LevelSpec("exact", _sql("nationality_l = nationality_r")),
        LevelSpec("else", lambda d: cll.ElseLevel()),
    ),
    "birth_place": (
        LevelSpec("null", _sql("birth_place_l IS NULL OR birth_place_r IS NULL"), is_null=True),
        LevelSpec("exact", _sql("birth_place_l = birth_place_r")),
        LevelSpec("similar", lambda d: cll.JaroWinklerLevel("birth_place", 0.9)),
        LevelSpec("else", lambda d: cll.ElseLevel()),
    ),
}

# Rules on names alone would pair every "María Mamani" with every other (tens of millions of
# pairs in a million records). A pair whose birth dates are both known and share neither month
# nor day (the same year is left to earlier rules) needs at least the same birth place to be
# worth scoring.
_DATES_MAY_AGREE = (
    "(l.dob_y IS NULL OR r.dob_y IS NULL OR l.dob_m = r.dob_m OR l.dob_d = r.dob_d "
    "OR l.birth_place = r.birth_place)"
)

# Each rule alone finds a true pair even when the fields the others use are missing or wrong:
# the document; names with the birth year; the full birth date with either name; both surnames
# with the given name; and surnames crosswise for records whose paternal surname was dropped.
BLOCKING_RULES: tuple[str, ...] = (
    "l.doc = r.doc",
    "l.given1_ph = r.given1_ph AND l.sur1_ph = r.sur1_ph AND l.dob_y = r.dob_y",
    "l.dob = r.dob AND l.given1_ph = r.given1_ph",
    "l.dob = r.dob AND l.sur1_ph = r.sur1_ph",
    "l.sur1_ph = r.sur1_ph AND l.sur2_ph = r.sur2_ph AND l.given1_ph = r.given1_ph",
    "l.sur1_ph = r.sur1_ph AND l.sur2_ph = r.sur2_ph AND l.dob_y = r.dob_y",
    "l.sur1_ph = r.sur2_ph AND l.given1_ph = r.given1_ph AND l.dob_y = r.dob_y",
    "l.sur2_ph = r.sur1_ph AND l.given1_ph = r.given1_ph AND l.dob_y = r.dob_y",
    "l.dob = r.dob AND l.sur1_ph = r.sur2_ph",
    "l.dob = r.dob AND l.sur2_ph = r.sur1_ph",
    f"l.given_full = r.given_full AND l.sur1_ph = r.sur1_ph AND {_DATES_MAY_AGREE}",
    f"l.given_full = r.given_full AND l.sur2_ph = r.sur2_ph AND {_DATES_MAY_AGREE}",
    "l.given1_ph = r.given1_ph AND l.sur1_ph = r.sur1_ph AND l.birth_place = r.birth_place "
    f"AND {_DATES_MAY_AGREE}",
    "l.given1_ph = r.sur1_ph AND l.sur1_ph = r.given1_ph",
    "l.dob = r.dob AND l.birth_place = r.birth_place",
    "l.given1_ph = r.given1_ph AND l.dob_m = r.dob_m AND l.dob_d = r.dob_d",
    "substr(l.given1, 1, 3) = substr(r.given1, 1, 3) AND substr(l.sur1, 1, 3) = substr(r.sur1, 1, 3) "
    "AND l.dob_y = r.dob_y",
    "l.given_full = r.given_full AND l.dob_y = r.dob_y AND l.birth_place = r.birth_place",
    # Rule 5 with the two surnames swapped (the maternal one written first). The same for rule
    # 6 (with the birth year) found a tenth as many more true pairs for twice the pairs.
    "l.sur1_ph = r.sur2_ph AND l.sur2_ph = r.sur1_ph AND l.given1_ph = r.given1_ph",
)

# Rules that almost only true pairs satisfy, used to estimate how many matches the data holds.
DETERMINISTIC_RULES: tuple[str, ...] = (
    "l.doc = r.doc AND l.given1_ph = r.given1_ph",
    "l.given1_ph = r.given1_ph AND l.sur1_ph = r.sur1_ph AND l.dob = r.dob",
)


@dataclass(slots=True)
class LinkageModel:
    """Fellegi–Sunter parameters of the model: per comparison, per level, m and u."""

    m: dict[str, list[float]]
    u: dict[str, list[float]]
    probability_two_random_records_match: float = 1e-4
    threshold: float = DEFAULT_THRESHOLD
    link_type: str = "dedupe_only"
    training: dict[str, Any] = field(default_factory=dict)

    def settings(
        self, *, link_type: str | None = None, explain: bool = False, dialect: str = "duckdb"
    ) -> SettingsCreator:
        """Splink settings for this model; `link_type` is "dedupe_only" or "link_only".

        With `explain`, predictions keep each comparison's level and Bayes factor.
        """
        comparisons: list[Any] = []
        for name, levels in COMPARISONS.items():
            built = []
            for index, spec in enumerate(levels):
                level = spec.build(dialect)
                options: dict[str, Any] = {"label_for_charts": spec.label}
                if spec.is_null:
                    options["is_null_level"] = True
                else:
                    options["m_probability"] = self.m[name][index]
                    options["u_probability"] = self.u[name][index]
                if spec.tf_column:
                    options["tf_adjustment_column"] = spec.tf_column
                    options["tf_adjustment_weight"] = 1.0
                built.append(level.configure(**options))
            comparisons.append(
                cl.CustomComparison(
                    comparison_levels=built, output_column_name=name, comparison_description=name
                )
            )
        return SettingsCreator(
            link_type=cast(LinkType, link_type or self.link_type),
            unique_id_column_name="unique_id",
            comparisons=comparisons,
            blocking_rules_to_generate_predictions=list[Any](BLOCKING_RULES),
            probability_two_random_records_match=self.probability_two_random_records_match,
            retain_intermediate_calculation_columns=explain,
            retain_matching_columns=False,
            additional_columns_to_retain=[],
        )

    def explain_labels(self) -> dict[str, list[str]]:
        return {name: [spec.label for spec in levels] for name, levels in COMPARISONS.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "splink_version": splink.__version__,
            "link_type": self.link_type,
            "threshold": self.threshold,
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "blocking_rules": list(BLOCKING_RULES),
            "comparisons": {
                name: [
                    {"label": spec.label, "m": self.m[name][i], "u": self.u[name][i]}
                    for i, spec in enumerate(levels)
                ]
                for name, levels in COMPARISONS.items()
            },
            "training": self.training,
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkageModel:
        if data.get("format") != MODEL_FORMAT:
            raise ModelFileError("This file is not an Alianza linkage model.")
        if data.get("version") != MODEL_VERSION:
            raise ModelFileError(
                f"This model has format version {data.get('version')}; this Alianza reads "
                f"version {MODEL_VERSION}. Retrain the model."
            )
        m: dict[str, list[float]] = {}
        u: dict[str, list[float]] = {}
        for name, levels in COMPARISONS.items():
            saved = data["comparisons"].get(name)
            if saved is None or [lv["label"] for lv in saved] != [s.label for s in levels]:
                raise ModelFileError(
                    f"The model's '{name}' comparison does not match this version of Alianza."
                )
            m[name] = [float(lv["m"]) for lv in saved]
            u[name] = [float(lv["u"]) for lv in saved]
        return cls(
            m=m,
            u=u,
            probability_two_random_records_match=float(
                data["probability_two_random_records_match"]
            ),
            threshold=float(data.get("threshold", DEFAULT_THRESHOLD)),
            link_type=str(data.get("link_type", "dedupe_only")),
            training=dict(data.get("training", {})),
        )

    @classmethod
    def load(cls, path: str | Path) -> LinkageModel:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelFileError(f"The model file does not exist: {path}") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ModelFileError(f"The model file is not valid JSON: {path}") from None
        if not isinstance(data, dict):
            raise ModelFileError("This file is not an Alianza linkage model.")
        try:
            return cls.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"The model file is incomplete or damaged ({exc}).") from None


def neutral_model() -> LinkageModel:
    """Uninformed starting values (m falls, u rises down the levels); used to fit the priors."""
    m: dict[str, list[float]] = {}
    u: dict[str, list[float]] = {}
    for name, levels in COMPARISONS.items():
        n = len(levels) - 1
        falling = [2.0**-i for i in range(n)]
        m[name] = [0.0, *(w / sum(falling) for w in falling)]
        u[name] = [0.0, *(w / sum(falling) for w in reversed(falling))]
    return LinkageModel(m=m, u=u, training={"m": "neutral starting values"})


def default_model() -> LinkageModel:
    """The shipped priors: m from labelled synthetic data, u to be re-estimated on each data set."""
    from alianza.linkage.engine.priors import PRIOR_M, PRIOR_U

    return LinkageModel(
        m={k: list(v) for k, v in PRIOR_M.items()},
        u={k: list(v) for k, v in PRIOR_U.items()},
        training={"m": "shipped priors (alianza.linkage.engine.priors)"},
    )
