"""The indicator engine against hand-computed figures on the small fixed data set."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from alianza.stats.indicators import IndicatorEngine, engine_for
from alianza.stats.tests.fixtures import small_data


@pytest.fixture
def engine() -> Iterator[IndicatorEngine]:
    with engine_for(small_data()) as e:
        yield e


def as_dict(frame) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    return {row.category: (row.raw, row.deduplicated) for row in frame.itertuples()}


def test_victim_known_to_police_and_ngo_counts_once_deduplicated_twice_raw(
    engine: IndicatorEngine,
) -> None:
    totals = engine.totals(year=2023)
    assert totals["victims"] == (4, 3)
    by_institution = as_dict(engine.breakdown(year=2023, by="institution"))
    assert by_institution == {"ngo": (1, 1), "police": (3, 3)}


def test_without_linkage_every_record_is_its_own_person() -> None:
    with engine_for(small_data(linked=False)) as engine:
        assert engine.totals(year=2023)["victims"] == (4, 4)


def test_yearly_totals(engine: IndicatorEngine) -> None:
    assert engine.totals(year=2023) == {
        "cases": (3, 3), "victims": (4, 3), "suspects": (3, 3), "prosecuted": (2, 2), "convicted": (1, 1),
    }  # fmt: skip
    assert engine.totals(year=2022) == {
        "cases": (1, 1), "victims": (1, 1), "suspects": (0, 0), "prosecuted": (0, 0), "convicted": (0, 0),
    }  # fmt: skip


def test_sex_and_age_group(engine: IndicatorEngine) -> None:
    # Ana is a girl in both records: two raw girls, one person.
    assert as_dict(engine.breakdown(year=2023, by="sex_age")) == {
        "women": (0, 0), "men": (2, 2), "girls": (2, 1), "boys": (0, 0), "unknown": (0, 0),
    }  # fmt: skip


def test_form_of_exploitation_citizenship_and_country(engine: IndicatorEngine) -> None:
    assert as_dict(engine.breakdown(year=2023, by="exploitation")) == {
        "forced_labour": (1, 1),
        "sexual": (3, 2),
    }
    assert as_dict(engine.breakdown(year=2023, by="citizenship")) == {"BOL": (3, 2), "PER": (1, 1)}
    assert as_dict(engine.breakdown(year=2023, by="country_of_exploitation")) == {
        "ARG": (2, 2),
        "BOL": (1, 1),
    }
    assert as_dict(engine.breakdown(year=2023, by="department")) == {"BO-L": (3, 3), "BO-S": (1, 1)}
    assert as_dict(engine.breakdown(year=2023, by="crime_type")) == {
        "smuggling": (1, 1),
        "trafficking": (3, 2),
    }


def test_cases_by_breakdown(engine: IndicatorEngine) -> None:
    assert as_dict(engine.breakdown(year=2023, by="crime_type", measure="cases")) == {
        "smuggling": (1, 1), "trafficking": (2, 2),
    }  # fmt: skip


def test_suspects_prosecuted_convicted_by_sex(engine: IndicatorEngine) -> None:
    frame = engine.sex_by_measure(year=2023)
    got = {(r.measure, r.category): r.raw for r in frame.itertuples()}
    assert got == {
        ("suspects", "F"): 1, ("suspects", "M"): 2,
        ("prosecuted", "F"): 1, ("prosecuted", "M"): 1,
        ("convicted", "M"): 1,
    }  # fmt: skip


def test_flows(engine: IndicatorEngine) -> None:
    flows = {
        (r.origin, r.destination): (r.raw, r.deduplicated)
        for r in engine.flows(year=2023).itertuples()
    }
    assert flows == {("BOL", "ARG"): (2, 2), ("BOL", "BOL"): (1, 1)}


def test_microdata_has_one_row_per_person(engine: IndicatorEngine) -> None:
    micro = engine.victim_microdata()
    assert len(micro[micro["year"] == 2023]) == 3
    ana = micro[(micro["year"] == 2023) & (micro["sex_age"] == "girls")].iloc[0]
    assert sorted(ana["forms"]) == ["forced_labour", "sexual"]


def test_unknown_breakdown_is_refused(engine: IndicatorEngine) -> None:
    with pytest.raises(ValueError):
        engine.breakdown(year=2023, by="shoe_size")


def test_all_indicators_for_a_year(engine: IndicatorEngine) -> None:
    from alianza.stats.indicators import all_indicators

    result = all_indicators(engine, year=2023)
    assert result["totals"]["victims"] == (4, 3)
    assert len([k for k in result if k.startswith("victims_by_")]) == 8


@pytest.mark.parametrize("linked", [True, False])
def test_year_figures_equal_the_engine_query_by_query(linked: bool) -> None:
    """The one-pass figures of a year answer every question as the engine's own queries do."""
    from alianza.stats.indicators import BREAKDOWNS, MEASURES
    from alianza.stats.synthetic import synthetic_data

    for data in (small_data(linked=linked), synthetic_data({2021: 300, 2022: 500})):
        if not linked:
            data.clusters = data.clusters.iloc[0:0]
        with engine_for(data) as engine:
            for year in sorted(set(data.cases["year"])):
                figures = engine.year_figures(year=year)
                assert figures.totals(year=year) == engine.totals(year=year)
                pd.testing.assert_frame_equal(figures.flows(year=year), engine.flows(year=year))
                for measure in MEASURES:
                    for by in BREAKDOWNS:
                        if measure == "cases" and by in ("sex_age", "sex", "citizenship"):
                            continue
                        expected = engine.breakdown(year=year, by=by, measure=measure)
                        got = figures.breakdown(year=year, by=by, measure=measure)
                        pd.testing.assert_frame_equal(
                            got,
                            expected.reset_index(drop=True),
                            check_dtype=False,
                            obj=f"{year} {measure} {by}",
                        )
        with pytest.raises(ValueError):
            figures.breakdown(year=year + 1, by="sex")
