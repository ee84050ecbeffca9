from __future__ import annotations

import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alianza.agreements import keys
from alianza.core.errors import Conflict


def test_init_writes_private_keys_readable_by_owner_only(keys_dir: Path) -> None:
    node_keys = keys.node_keys_init()
    for name in (keys.SIGNING_FILE, keys.ENCRYPTION_FILE):
        assert stat.S_IMODE((keys_dir / name).stat().st_mode) == 0o600
    assert node_keys.signing.as_dict()["crv"] == "Ed25519"
    assert node_keys.encryption.as_dict()["crv"] == "X25519"


def test_init_refuses_to_overwrite_and_rotation_keeps_old_decryption_key(keys_dir: Path) -> None:
    first = keys.node_keys_init()
    with pytest.raises(Conflict):
        keys.node_keys_init()
    second = keys.node_keys_init(rotate=True)
    assert second.signing.kid != first.signing.kid
    assert second.decryption_key(first.encryption.kid) is not None


def test_public_jwks_never_contains_private_parts(keys_dir: Path) -> None:
    keys.node_keys_init()
    jwks = keys.public_jwks()
    assert len(jwks["keys"]) == 2 and all("d" not in k for k in jwks["keys"])


def test_keys_command_prints_only_the_public_set(keys_dir: Path) -> None:
    out = StringIO()
    call_command("keys", "init", stdout=out, stderr=StringIO())
    printed = json.loads(out.getvalue())
    assert all("d" not in k for k in printed["keys"])
    with pytest.raises(CommandError):
        call_command("keys", "init", stdout=StringIO(), stderr=StringIO())


def test_loose_permissions_are_refused(keys_dir: Path) -> None:
    keys.node_keys_init()
    (keys_dir / keys.SIGNING_FILE).chmod(0o644)
    keys.forget_cached_keys()
    with pytest.raises(keys.ApplicationError):
        keys.node_keys()


def test_missing_keys_say_how_to_create_them(keys_dir: Path) -> None:
    with pytest.raises(keys.KeysMissing, match="keys init"):
        keys.node_keys()
