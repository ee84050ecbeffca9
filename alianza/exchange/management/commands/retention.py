"""`alianza retention run`: delete or anonymise data received under an agreement once its
retention period has ended. Idempotent (run it daily); every change is audited."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alianza.exchange import services


class Command(BaseCommand):
    help = "Apply the agreements' retention periods to received data (idempotent, audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.retention_run()
        self.stdout.write(json.dumps({
            "packages_purged": result.packages_purged, "records_anonymised": result.records_anonymised,
        }))
