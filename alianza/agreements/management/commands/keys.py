"""`alianza keys init|show`: this node's signing and encryption keys.

`init` writes the private keys as JWK files (mode 0600) under ALIANZA_KEYS_DIR; `show` prints the
public JWK Set to give to partners. Private keys are never printed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alianza.agreements import keys
from alianza.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Generate (init) or print the public part (show) of this node's keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["init", "show"])
        parser.add_argument("--rotate", action="store_true", help="Replace existing keys (init only).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "init":
                node_keys = keys.node_keys_init(rotate=options["rotate"])
                self.stderr.write(
                    f"Keys written to {keys.keys_dir()} (signing {node_keys.signing.kid}, "
                    f"encryption {node_keys.encryption.kid})."
                )
            self.stdout.write(json.dumps(keys.public_jwks(), indent=2))
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
