from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from alianza.exchange import services
from alianza.exchange.models import InboundPackage, OutboundPackage, OutboundStatus
from alianza.exchange.tests.conftest import Partner
from alianza.exchange.tests.test_services import _from_partner

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command(*args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_receive_a_file_then_refuse_its_replay(peru: Partner, tmp_path: Path) -> None:
    path = tmp_path / "p.jwe"
    path.write_text(_from_partner(peru))
    assert _run("exchange", "receive", str(path))[0]["status"] == "accepted"
    with pytest.raises(CommandError, match="replay"):
        _run("exchange", "receive", str(path))
    assert InboundPackage.objects.count() == 1


def test_send_from_a_snapshot_exports_a_file_and_prints_no_content(
    peru: Partner, liaison: Any, tmp_path: Path
) -> None:
    snapshot = tmp_path / "case.json"
    snapshot.write_text(json.dumps({
        "reference": "BOL-2026-1", "crime_type": "trafficking",
        "victims": [{"record_id": "V-9", "given_names": "Nilda", "consented_countries": ["PER"]}],
    }))
    target = tmp_path / "out.jwe"
    printed = _run("exchange", "send", "--as", liaison.username, "--snapshot", str(snapshot), "--partner",
                   "alianza-per", "--purpose", "investigation", "--export", str(target))
    assert printed[0]["status"] == OutboundStatus.EXPORTED and "Nilda" not in json.dumps(printed)
    assert target.read_text() == OutboundPackage.objects.get().token


def test_deliver_and_retention_are_idempotent_commands(peru: Partner, liaison: Any, monkeypatch: Any) -> None:
    assert _run("exchange", "deliver") == [{}]
    assert _run("retention", "run") == [{"packages_purged": 0, "records_anonymised": 0}]
    services.package_receive(token=_from_partner(peru))
    InboundPackage.objects.update(retain_until=timezone.now() - timedelta(seconds=1))
    assert _run("retention", "run") == [{"packages_purged": 1, "records_anonymised": 0}]
    assert _run("retention", "run") == [{"packages_purged": 0, "records_anonymised": 0}]


def test_remind_lists_requests_due(peru: Partner, liaison: Any) -> None:
    request = services.request_create(acting_user=liaison, partner=peru.node, type="mla", subject="Exhorto",
                                      deadline=timezone.localdate() + timedelta(days=1))
    assert [r["reference"] for r in _run("exchange", "remind")] == [request.reference]
