"""`alianza linkage run`: the scheduled registry-wide deduplication."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alianza.linkage.models import CandidatePair, LinkageRun, PairStatus
from alianza.linkage.tests.world import World

pytestmark = pytest.mark.django_db


def test_the_command_runs_linkage_and_prints_one_summary_line(
    world: World, scores: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, c = (world.person(world.police_case, first_surname=f"Nina{i}") for i in "abc")
    scores.update({(a.pk, b.pk): 0.995, (b.pk, c.pk): 0.5})
    out = StringIO()
    call_command("linkage", "run", stdout=out)
    assert out.getvalue().strip() == "3 records, 2 candidate pairs: 1 matched automatically, 1 awaiting review (2 new, 0 retired)."
    assert "grouping records into persons" in capsys.readouterr().err  # the progress bar
    call_command("linkage", "run", "--no-progress", stdout=(again := StringIO()))
    assert "(0 new, 0 retired)" in again.getvalue() and capsys.readouterr().err == ""
    assert LinkageRun.objects.count() == 2 and CandidatePair.objects.filter(status=PairStatus.PENDING).count() == 1


def test_bad_thresholds_stop_the_command_with_a_message(world: World, scores: Any, settings: Any) -> None:
    settings.ALIANZA_LINKAGE_LOWER_THRESHOLD = 1.5
    with pytest.raises(CommandError, match="ALIANZA_LINKAGE_LOWER_THRESHOLD"):
        call_command("linkage", "run", "--no-progress")
    assert not LinkageRun.objects.exists()
