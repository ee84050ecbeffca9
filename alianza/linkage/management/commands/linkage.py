"""`alianza linkage run`: deduplicate every agency's person records in the registry.

    alianza linkage run [--no-progress]

Suitable for a scheduled job (cron, a systemd timer): it is idempotent, keeps every reviewer's
decision, prints one summary line and exits non-zero when it cannot run. Pairs at or above
ALIANZA_LINKAGE_UPPER_THRESHOLD are merged automatically, pairs from
ALIANZA_LINKAGE_LOWER_THRESHOLD up to it wait in the review queue (docs/linkage.md).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from alianza.core.errors import ApplicationError
from alianza.linkage.engine import LinkageError
from alianza.linkage.management.commands._common import StageProgress
from alianza.linkage.models import CandidatePair, PairStatus
from alianza.linkage.services import linkage_run

_STAGES = ["reading the registry", "normalising records", "estimating the model on this data",
           "blocking and scoring pairs", "clustering", "saving candidate pairs",
           "grouping records into persons"]  # fmt: skip


class Command(BaseCommand):
    help = "Deduplicate the registry's person records across all institutions (review queue and clusters)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser("run", help="score every pair of person records and refresh the review queue")
        run.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = StageProgress(_STAGES, enabled=not options["no_progress"])
        try:
            run = linkage_run(progress=progress)
        except (LinkageError, ApplicationError) as exc:
            raise CommandError(exc.message) from None
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        finally:
            progress.close()
        pending = CandidatePair.objects.filter(status=PairStatus.PENDING).count()
        automatic = CandidatePair.objects.filter(status=PairStatus.AUTOMATIC).count()
        self.stdout.write(
            f"{run.records} records, {run.pairs_scored} candidate pairs: {automatic} matched automatically, "
            f"{pending} awaiting review ({run.pairs_new} new, {run.pairs_retired} retired)."
        )
