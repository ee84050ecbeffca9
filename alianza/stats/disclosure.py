"""Statistical disclosure control for published tables: suppression, rounding, differential privacy.

Django-free. A table is a matrix of non-negative counts with its row and column totals and grand
total, which are published too. Control works in three steps:

1. *Primary suppression*: every non-zero cell (and total) below `min_cell` is withheld.
2. *Complementary suppression*: more cells are withheld until no withheld value can be worked out
   from the published ones, neither by subtracting from a margin nor by any other linear
   combination (checked by linear programming, see `recoverable_cells`).
3. Optionally, counts are released with noise from OpenDP instead (`dp_counts`); the caller
   records the epsilon spent.

Zeros are published: a count of zero identifies nobody, and hiding zeros would hide most of a
sparse table without protecting anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

DEFAULT_MIN_CELL = 10

Cell = tuple[int, int]  # (row, column) in the extended table; row m / column n are the totals


@dataclass(frozen=True)
class ProtectedTable:
    """A table ready to publish: withheld values are None."""

    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    col_totals: tuple[int | None, ...]
    grand_total: int | None
    min_cell: int
    primary: frozenset[Cell] = field(default_factory=frozenset)
    complementary: frozenset[Cell] = field(default_factory=frozenset)

    def rows(self) -> list[list[int | None]]:
        """The extended table, totals included: one list per row, the last row the column totals."""
        body = [[*row, total] for row, total in zip(self.cells, self.row_totals, strict=True)]
        return [*body, [*self.col_totals, self.grand_total]]

    def published_values(self) -> list[int]:
        return [value for row in self.rows() for value in row if value is not None]


def min_cell_from_settings() -> int:
    """The threshold configured in Django settings (`ALIANZA_MIN_CELL`), or the default."""
    try:
        from django.conf import settings

        return int(getattr(settings, "ALIANZA_MIN_CELL", DEFAULT_MIN_CELL))
    except Exception:  # Django absent or not configured: the library still works on its own
        return DEFAULT_MIN_CELL


def _extended(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    rows = [list(map(int, row)) for row in counts]
    if any(v < 0 for row in rows for v in row):
        raise ValueError("counts must be non-negative")
    n = len(rows[0]) if rows else 0
    if any(len(row) != n for row in rows):
        raise ValueError("every row must have the same number of columns")
    col_totals = [sum(row[j] for row in rows) for j in range(n)]
    return [[*row, sum(row)] for row in rows] + [[*col_totals, sum(col_totals)]]


def _lines(m: int, n: int) -> list[list[Cell]]:
    """Each additivity constraint of the extended table as the cells it ties together."""
    rows = [[(i, j) for j in range(n + 1)] for i in range(m + 1)]
    cols = [[(i, j) for i in range(m + 1)] for j in range(n + 1)]
    return rows + cols


def suppress(
    counts: Sequence[Sequence[int]],
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    min_cell: int | None = None,
) -> ProtectedTable:
    """Suppress small cells and enough others that none of them can be recovered."""
    threshold = DEFAULT_MIN_CELL if min_cell is None else min_cell
    ext = _extended(counts)
    m, n = len(ext) - 1, len(ext[0]) - 1
    primary = {(i, j) for i in range(m + 1) for j in range(n + 1) if 0 < ext[i][j] < threshold}
    hidden = set(primary)
    lines = _lines(m, n)

    def pick_partner(line: list[Cell]) -> Cell | None:
        # The cheapest complement: a non-zero inner cell, smallest first; totals only if needed.
        candidates = [c for c in line if c not in hidden and ext[c[0]][c[1]] > 0]
        if not candidates:
            candidates = [c for c in line if c not in hidden]
        if not candidates:
            return None
        return min(candidates, key=lambda c: (c[0] == m or c[1] == n, ext[c[0]][c[1]], c))

    while True:
        changed = False
        for line in lines:
            if sum(c in hidden for c in line) == 1:
                partner = pick_partner(line)
                if partner is not None:
                    hidden.add(partner)
                    changed = True
        if changed:
            continue
        # Margins are safe; check that no combination of constraints pins a withheld value down.
        exposed = recoverable_cells(ext, hidden)
        if not exposed:
            break
        cell = min(exposed)
        partner = next((p for line in lines if cell in line and (p := pick_partner(line))), None)
        if partner is None:  # nothing left to hide in that line: withhold the whole table
            hidden = {(i, j) for i in range(m + 1) for j in range(n + 1)}
            break
        hidden.add(partner)

    def value(i: int, j: int) -> int | None:
        return None if (i, j) in hidden else ext[i][j]

    return ProtectedTable(
        row_labels=tuple(row_labels or (str(i) for i in range(m))),
        col_labels=tuple(col_labels or (str(j) for j in range(n))),
        cells=tuple(tuple(value(i, j) for j in range(n)) for i in range(m)),
        row_totals=tuple(value(i, n) for i in range(m)),
        col_totals=tuple(value(m, j) for j in range(n)),
        grand_total=value(m, n),
        min_cell=threshold,
        primary=frozenset(primary),
        complementary=frozenset(hidden - primary),
    )


def feasible_ranges(published: Sequence[Sequence[int | None]]) -> dict[Cell, tuple[float, float]]:
    """What an attacker can infer: the lowest and highest value each withheld cell may take.

    `published` is the extended table (`ProtectedTable.rows()`). Each withheld value is bounded by
    linear programming over the additivity constraints and non-negativity.
    """
    import numpy as np
    from scipy.optimize import linprog

    m, n = len(published) - 1, len(published[0]) - 1
    unknown = [(i, j) for i in range(m + 1) for j in range(n + 1) if published[i][j] is None]
    if not unknown:
        return {}
    index = {cell: k for k, cell in enumerate(unknown)}
    a_eq, b_eq = [], []
    for line in _lines(m, n):
        # The last cell of each line is its total: sum(inner) - total = 0.
        coeffs = np.zeros(len(unknown))
        constant = 0.0
        for position, (i, j) in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0
            value = published[i][j]
            if value is None:
                coeffs[index[(i, j)]] += sign
            else:
                constant -= sign * value
        if coeffs.any():
            a_eq.append(coeffs)
            b_eq.append(constant)
    ranges: dict[Cell, tuple[float, float]] = {}
    bounds = [(0, None)] * len(unknown)
    for cell, k in index.items():
        objective = np.zeros(len(unknown))
        objective[k] = 1.0
        low = linprog(
            objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs"
        )
        high = linprog(
            -objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs"
        )
        upper = float("inf") if high.status == 3 else -high.fun
        ranges[cell] = (low.fun, upper)
    return ranges


def recoverable_cells(ext: Sequence[Sequence[int]], hidden: set[Cell]) -> set[Cell]:
    """Withheld cells whose value the published part of `ext` determines exactly."""
    published = [
        [None if (i, j) in hidden else v for j, v in enumerate(row)] for i, row in enumerate(ext)
    ]
    return {cell for cell, (low, high) in feasible_ranges(published).items() if high - low < 0.5}


def suppress_series(
    counts: Sequence[int], *, labels: Sequence[str] | None = None, min_cell: int | None = None
) -> ProtectedTable:
    """A one-dimensional breakdown (a single row) with its total."""
    return suppress([list(counts)], col_labels=labels, row_labels=[""], min_cell=min_cell)


def round_to_base(value: int, base: int = 5) -> int:
    """Conventional rounding to a multiple of `base`, for releases that round instead of suppress."""
    return int(base * ((value + base // 2) // base))


def dp_counts(counts: Sequence[int], *, epsilon: float, contributions: int = 1) -> list[int]:
    """Counts with discrete Laplace noise from OpenDP, spending `epsilon` for the whole vector.

    `contributions` bounds how many cells one person may add to (1 for a partition such as sex,
    more for multi-valued breakdowns such as forms of exploitation). Noisy counts are clamped at 0,
    which is post-processing and costs no privacy.
    """
    if epsilon <= 0:
        raise ValueError("epsilon must be positive")
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = space >> dp.m.then_laplace(scale=contributions / epsilon)
    spent = measurement.map(d_in=contributions)
    if spent > epsilon * (1 + 1e-9):
        raise ValueError(f"the mechanism would spend {spent}, more than epsilon {epsilon}")
    return [max(0, int(v)) for v in measurement([int(c) for c in counts])]
