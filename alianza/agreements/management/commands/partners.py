"""`alianza partners register`: add or update a partner node from its public JWK Set.

    alianza keys show > bol.jwks.json          # on the partner's node
    alianza partners register --node-id alianza-bol --country BOL --name "Bolivia" \
        --inbox-url https://alianza.example.bo/api/v1/exchange/inbox --jwks bol.jwks.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alianza.agreements import services
from alianza.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Register a partner node and its public keys (JWK Set from a file, or - for stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["register"])
        parser.add_argument("--node-id", required=True)
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-3")
        parser.add_argument("--name", default="")
        parser.add_argument("--inbox-url", default="")
        parser.add_argument("--jwks", required=True, help="File with the partner's public JWK Set, or -")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["jwks"]
        try:
            text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()  # noqa: SIM115
            jwks = json.loads(text)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the JWK Set: {exc}") from exc
        try:
            node = services.partner_node_register(
                acting_user=None,
                node_id=options["node_id"],
                country=options["country"],
                name=options["name"] or options["node_id"],
                inbox_url=options["inbox_url"],
                jwks=jwks,
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {exc.extra or ''}".strip()) from exc
        self.stdout.write(f"{node.node_id}: {node.keys.count()} key(s)")
