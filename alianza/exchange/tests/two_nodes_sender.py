"""Sender-side scenarios for the two-node test, run inside the Bolivian node's own process.

    python -m alianza.exchange.tests.two_nodes_sender happy replay tampered …

Each scenario builds a package with the real services, spoils it the way its name says (as a
broken, misconfigured or malicious sender would), delivers it over HTTP to the partner's
inbox, and prints one JSON line with what the sending liaison sees: status, reason, message.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from alianza.accounts.models import User  # noqa: E402
from alianza.agreements import keys  # noqa: E402
from alianza.agreements.models import PartnerNode  # noqa: E402
from alianza.exchange import packages, services  # noqa: E402
from alianza.exchange.models import OutboundPackage, OutboundStatus  # noqa: E402
from alianza.exchange.tests.fixtures import new_keys, typical_snapshot  # noqa: E402

PARTNER = "alianza-per"


def _liaison() -> Any:
    user = User.objects.get(username="enlace")
    user.is_verified = lambda: True  # type: ignore[attr-defined]
    return user


def _prepare(snapshot: packages.CaseSnapshot | None = None, **kwargs: Any) -> services.PreparedPackage:
    return services.package_prepare(
        acting_user=_liaison(), snapshot=snapshot or typical_snapshot(), partner=PartnerNode.objects.get(node_id=PARTNER),
        purpose="investigation", source_grading="B", information_grading="2", legal_basis="judicial_order", **kwargs,
    )


def _deliver(package: OutboundPackage, **changes: Any) -> OutboundPackage:
    """Deliver now, after applying `changes` to the stored package (what went wrong in transit)."""
    for name, value in {"status": OutboundStatus.QUEUED, **changes}.items():
        setattr(package, name, value)
    package.save()
    return services.package_deliver(package=package)


def _send(prepared: services.PreparedPackage) -> OutboundPackage:
    return services.package_send(acting_user=_liaison(), prepared=prepared, deliver=False)


def happy() -> OutboundPackage:
    # The real path: sending queues the package and delivers it once the transaction commits.
    return services.package_send(acting_user=_liaison(), prepared=_prepare(), deliver=True)


def replay() -> OutboundPackage:
    delivered = OutboundPackage.objects.filter(status=OutboundStatus.DELIVERED).earliest("created_at")
    return _deliver(delivered)


def tampered() -> OutboundPackage:
    package = _send(_prepare())
    parts = package.token.split(".")
    parts[3] = parts[3][:20] + ("A" if parts[3][20] != "A" else "B") + parts[3][21:]
    return _deliver(package, token=".".join(parts))


def wrong_key() -> OutboundPackage:
    impostor, _ = new_keys()
    real = keys.node_keys
    services.node_keys_module.node_keys = lambda **kw: replace(real(**kw), signing=impostor)  # type: ignore[assignment]
    try:
        return _deliver(_send(_prepare()))
    finally:
        services.node_keys_module.node_keys = real  # type: ignore[assignment]


def unknown_partner() -> OutboundPackage:
    node_id = settings.ALIANZA_NODE_ID
    settings.ALIANZA_NODE_ID = "alianza-xyz"
    try:
        return _deliver(_send(_prepare()))
    finally:
        settings.ALIANZA_NODE_ID = node_id


def crime_not_covered() -> OutboundPackage:
    return _deliver(_send(_prepare(replace(typical_snapshot(), crime_type="smuggling"))))


def agreement_expired() -> OutboundPackage:
    return _deliver(_send(_prepare()))


def expired_package() -> OutboundPackage:
    package = _send(_prepare(valid_for=timedelta(seconds=-60)))
    # The sender's own record says it is still valid (say, a wrong clock): the partner decides.
    return _deliver(package, expires_at=timezone.now() + timedelta(hours=1))


def schema_violation() -> OutboundPackage:
    prepared = _prepare()
    prepared.document["content"]["victims"][0]["favourite_colour"] = "azul"
    return _deliver(_send(prepared))


def oversize() -> OutboundPackage:
    """Just over the partner's package limit, under the HTTP body limit: the package check speaks."""
    settings.ALIANZA_EXCHANGE_MAX_PACKAGE_BYTES = 10_000_000  # this sender does not check its size
    base = typical_snapshot()
    count = 330
    while True:
        victims = tuple(replace(base.victims[0], record_id=f"V-{i}", birth_place="x" * 150) for i in range(count))
        prepared = _prepare(replace(base, victims=victims))
        size = len(packages.seal(prepared.document, signing_key=keys.node_keys().signing,
                                 recipient_key=keys.node_keys().encryption, sending_node="x"))
        if size > packages.DEFAULT_MAX_BYTES + 2_000:
            break
        count += 20
    return _deliver(_send(prepared))


SCENARIOS: dict[str, Callable[[], OutboundPackage]] = {
    f.__name__: f
    for f in (happy, replay, tampered, wrong_key, unknown_partner, crime_not_covered, agreement_expired,
              expired_package, schema_violation, oversize)
}


def main(names: list[str]) -> None:
    for name in names:
        package = SCENARIOS[name]()
        package.refresh_from_db()
        print(json.dumps({
            "scenario": name, "package_id": package.package_id, "status": package.status,
            "reason": package.rejection_reason, "message": package.rejection_message,
            "receipt": bool(package.receipt), "error": package.last_error, "size": package.size,
        }), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
