"""Demo data for statistics: population figures and the national plan.

The registry's own demo world (`alianza.cases.demo`) already gives the dashboard what it is meant
to explain: cases per year rising from 463 (2018) to 551 (2022), victims known to two agencies,
and flows abroad; linkage then clusters the victims that two agencies recorded.
"""

from __future__ import annotations

from alianza.plan.services import plan_demo_seed
from alianza.stats.services import population_demo_seed


def demo_stats_seed() -> dict[str, int]:
    population = population_demo_seed()
    plan_demo_seed()
    return {"population_figures": population}
