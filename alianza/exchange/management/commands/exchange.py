"""`alianza exchange …`: deliver queued packages, send or export a case, receive a file, remind.

    alianza exchange deliver                       # every queued package that is due (cron: each minute)
    alianza exchange send --as enlace --case 12 --partner alianza-per --purpose investigation
    alianza exchange send --as enlace --snapshot case.json --partner alianza-per --purpose investigation
    alianza exchange send … --export package.jwe   # seal for out-of-band transfer instead of HTTPS
    alianza exchange receive package.jwe           # the same checks as the HTTPS inbox
    alianza exchange remind                        # requests for assistance due within 3 days

Output is JSON lines; package content and personal data are never printed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alianza.agreements.models import PartnerNode
from alianza.core.errors import ApplicationError
from alianza.exchange import packages, services
from alianza.exchange.case_snapshot import case_snapshot
from alianza.exchange.management.commands._acting import acting_user


class Command(BaseCommand):
    help = "Deliver, send, export and receive exchange packages; remind of requests for assistance."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("deliver", help="Attempt delivery of every queued package that is due.")
        send = sub.add_parser("send", help="Build a package from a case under the agreement, and send it.")
        send.add_argument("--as", dest="username", required=True)
        source = send.add_mutually_exclusive_group(required=True)
        source.add_argument("--case", type=int, help="Case id in the registry.")
        source.add_argument("--snapshot", help="A case snapshot as JSON (file, or - for stdin).")
        send.add_argument("--partner", required=True, help="Partner node id.")
        send.add_argument("--purpose", required=True)
        send.add_argument("--source-grading", default="B", choices=["A", "B", "C", "X"])
        send.add_argument("--information-grading", default="2", choices=["1", "2", "3", "4"])
        send.add_argument("--handling-code", default="")
        send.add_argument("--legal-basis", default="")
        send.add_argument("--export", help="Write the sealed package to this file (- for stdout) instead of delivering.")
        receive = sub.add_parser("receive", help="Check a package file and put it in the inbox.")
        receive.add_argument("file", help="The .jwe file, or - for stdin.")
        remind = sub.add_parser("remind", help="Requests for assistance due soon or overdue.")
        remind.add_argument("--days", type=int, default=3)

    def _emit(self, **fields: Any) -> None:
        self.stdout.write(json.dumps(fields, ensure_ascii=False, default=str))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {json.dumps(exc.extra) if exc.extra else ''}".strip()) from exc

    def _deliver(self, options: dict[str, Any]) -> None:
        self._emit(**services.packages_deliver_due())

    def _send(self, options: dict[str, Any]) -> None:
        user = acting_user(options["username"])
        partner = PartnerNode.objects.filter(node_id=options["partner"]).first()
        if partner is None:
            raise CommandError(f"Unknown partner node {options['partner']!r}.")
        if options["snapshot"]:
            source = options["snapshot"]
            text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()  # noqa: SIM115
            snapshot = packages.snapshot_from_dict(json.loads(text))
        else:
            snapshot = case_snapshot(acting_user=user, case_id=options["case"])
        prepared = services.package_prepare(
            acting_user=user, snapshot=snapshot, partner=partner, purpose=options["purpose"],
            source_grading=options["source_grading"], information_grading=options["information_grading"],
            handling_code=options["handling_code"], legal_basis=options["legal_basis"],
        )
        export = options["export"]
        package = services.package_send(acting_user=user, prepared=prepared, deliver=not export)
        if export == "-":
            self.stdout.write(package.token)
            return
        if export:
            with open(export, "w", encoding="ascii") as handle:
                handle.write(package.token)
        package.refresh_from_db()
        self._emit(
            package_id=package.package_id, status=package.status, reason=package.rejection_reason,
            message=package.rejection_message, categories=package.categories,
            withheld=[w["reason"] for w in package.withheld],
        )

    def _receive(self, options: dict[str, Any]) -> None:
        source = options["file"]
        token = sys.stdin.read() if source == "-" else open(source, encoding="ascii").read()  # noqa: SIM115
        result = services.package_receive(token=token.strip())
        body = result.body
        if result.inbound is None:
            raise CommandError(f"refused ({body['error']['details']['reason']}): {body['error']['message']}")
        self._emit(package_id=body["package_id"], status=body["status"])

    def _remind(self, options: dict[str, Any]) -> None:
        for request in services.requests_remind(days_ahead=options["days"]):
            self._emit(reference=request.reference, partner=request.partner.node_id, deadline=request.deadline)
