"""Disclosure control: small cells are withheld and cannot be worked back from what is published."""

from __future__ import annotations

import random

import pytest

from alianza.stats.disclosure import (
    DEFAULT_MIN_CELL,
    ProtectedTable,
    dp_counts,
    feasible_ranges,
    round_to_base,
    suppress,
    suppress_series,
)


def subtraction_attack(table: ProtectedTable) -> dict[tuple[int, int], int]:
    """What a reader recovers by subtracting published cells from published totals, repeatedly."""
    grid = table.rows()
    m, n = len(grid) - 1, len(grid[0]) - 1
    lines = [[(i, j) for j in range(n + 1)] for i in range(m + 1)] + [
        [(i, j) for i in range(m + 1)] for j in range(n + 1)
    ]
    recovered: dict[tuple[int, int], int] = {}
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [c for c in line if grid[c[0]][c[1]] is None]
            if len(unknown) != 1:
                continue
            (i, j) = unknown[0]
            *inner, total = line
            known = [grid[a][b] for a, b in inner if (a, b) != (i, j)]
            if (i, j) == total:
                value = sum(v for v in known if v is not None)
            else:
                value = grid[total[0]][total[1]] - sum(v for v in known if v is not None)  # type: ignore[operator]
            grid[i][j] = value
            recovered[(i, j)] = value
            progress = True
    return recovered


# Victims by sex (rows) and form of exploitation (columns); one small cell: 3 men in forced begging.
TABLE = [
    [120, 45, 12],
    [30, 60, 3],
    [25, 18, 14],
]


def test_small_cells_are_withheld() -> None:
    table = suppress(TABLE)
    assert table.cells[1][2] is None
    assert (1, 2) in table.primary
    assert all(v == 0 or v >= DEFAULT_MIN_CELL for v in table.published_values())


def test_a_suppressed_cell_cannot_be_recovered_from_the_margins() -> None:
    table = suppress(TABLE)
    recovered = subtraction_attack(table)
    assert (1, 2) not in recovered
    assert recovered == {}
    # Nor by any linear combination of the published figures: the value could be 0 or many.
    low, high = feasible_ranges(table.rows())[(1, 2)]
    assert low < 3 < high


def test_primary_suppression_alone_would_have_been_recoverable() -> None:
    """The attack works against naive suppression, so the test above is not vacuous."""
    table = suppress(TABLE)
    naive = ProtectedTable(
        row_labels=table.row_labels,
        col_labels=table.col_labels,
        cells=tuple(
            tuple(None if (i, j) == (1, 2) else v for j, v in enumerate(row))
            for i, row in enumerate(TABLE)
        ),
        row_totals=tuple(sum(r) for r in TABLE),
        col_totals=tuple(sum(c) for c in zip(*TABLE, strict=True)),
        grand_total=sum(map(sum, TABLE)),
        min_cell=10,
    )
    assert subtraction_attack(naive)[(1, 2)] == 3


def test_small_totals_are_withheld_too() -> None:
    table = suppress([[4, 3], [50, 40]])
    assert table.row_totals[0] is None
    assert subtraction_attack(table) == {}


def test_zeros_are_published() -> None:
    table = suppress([[0, 25], [30, 40]])
    assert table.cells[0][0] == 0
    assert table.primary == frozenset() and table.complementary == frozenset()


def test_threshold_is_configurable() -> None:
    assert suppress(TABLE, min_cell=3).cells[1][2] == 3
    assert suppress(TABLE, min_cell=20).cells[0][2] is None


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_never_leak(seed: int) -> None:
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 5), rng.randint(1, 5)
    counts = [
        [rng.choice([0, 1, 2, 5, 9, 10, 14, 30, 80]) for _ in range(cols)] for _ in range(rows)
    ]
    table = suppress(counts)
    assert all(v == 0 or v >= 10 for v in table.published_values())
    ranges = feasible_ranges(table.rows())
    for (i, j), (low, high) in ranges.items():
        assert high - low >= 1, f"cell {(i, j)} of {counts} is pinned to {low}"


def test_series_has_its_total() -> None:
    table = suppress_series([40, 2, 30], labels=["a", "b", "c"])
    assert table.cells[0][1] is None and table.cells[0][0] is not None or table.cells[0][2] is None
    assert subtraction_attack(table) == {}


def test_round_to_base() -> None:
    assert [round_to_base(v) for v in (0, 2, 3, 7, 8, 12)] == [0, 0, 5, 5, 10, 10]


def test_dp_counts_are_noisy_non_negative_and_close() -> None:
    true = [500, 300, 20]
    noisy = dp_counts(true, epsilon=1.0)
    assert len(noisy) == 3 and all(v >= 0 for v in noisy)
    assert all(abs(a - b) < 40 for a, b in zip(true, noisy, strict=True))  # scale 1: P(>40) ~ 1e-17


def test_dp_counts_need_a_positive_epsilon() -> None:
    with pytest.raises(ValueError):
        dp_counts([1], epsilon=0)
