"""This node's own keys: an Ed25519 key to sign packages and an X25519 key to receive them.

The private keys are JWK files under `settings.ALIANZA_KEYS_DIR`, readable by their owner only.
They are never written to the database and never exported: `public_jwks()` is all that leaves.
Rotating moves the current keys to `retired/`, where they still decrypt packages already in
flight but no longer sign.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from joserfc.jwk import OKPKey

from alianza.core.errors import ApplicationError, Conflict

SIGNING_FILE = "signing.jwk"
ENCRYPTION_FILE = "encryption.jwk"
RETIRED_DIR = "retired"


class KeysMissing(ApplicationError):
    code = "node_keys_missing"
    http_status = 503


@dataclass(frozen=True)
class NodeKeys:
    signing: OKPKey
    encryption: OKPKey
    retired_encryption: tuple[OKPKey, ...] = ()

    def decryption_key(self, kid: str | None) -> OKPKey | None:
        for key in (self.encryption, *self.retired_encryption):
            if key.kid == kid:
                return key
        return None


def keys_dir() -> Path:
    return Path(settings.ALIANZA_KEYS_DIR)


def _new_key(curve: Literal["Ed25519", "X25519"], use: str) -> OKPKey:
    key = OKPKey.generate_key(curve, parameters={"use": use}, private=True)
    key.ensure_kid()  # the RFC 7638 thumbprint
    return key


def _write_private(path: Path, key: OKPKey) -> None:
    data = json.dumps(key.as_dict(private=True), sort_keys=True).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o600)


def _read_private(path: Path) -> OKPKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ApplicationError(
            _("The key file %(path)s is readable by other users; run chmod 600 on it.") % {"path": path}
        )
    return OKPKey.import_key(json.loads(path.read_text()))


def node_keys_init(*, directory: Path | None = None, rotate: bool = False) -> NodeKeys:
    """Generate the node's keys. Refuses to replace existing keys unless rotating."""
    directory = directory or keys_dir()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    signing_path, encryption_path = directory / SIGNING_FILE, directory / ENCRYPTION_FILE
    if signing_path.exists() or encryption_path.exists():
        if not rotate:
            raise Conflict(
                _("This node already has keys in %(dir)s; use --rotate to replace them.") % {"dir": directory}
            )
        retired = directory / RETIRED_DIR
        retired.mkdir(exist_ok=True)
        os.chmod(retired, 0o700)
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S%f")
        for path in (signing_path, encryption_path):
            if path.exists():
                path.rename(retired / f"{stamp}-{path.name}")
    _write_private(signing_path, _new_key("Ed25519", "sig"))
    _write_private(encryption_path, _new_key("X25519", "enc"))
    forget_cached_keys()
    return node_keys(directory=directory)


def _load(directory: Path) -> NodeKeys:
    signing_path, encryption_path = directory / SIGNING_FILE, directory / ENCRYPTION_FILE
    if not (signing_path.exists() and encryption_path.exists()):
        raise KeysMissing(
            _("This node has no keys yet; run `alianza keys init` first.")
        )
    retired_dir = directory / RETIRED_DIR
    retired = (
        tuple(_read_private(p) for p in sorted(retired_dir.glob(f"*-{ENCRYPTION_FILE}"), reverse=True))
        if retired_dir.exists()
        else ()
    )
    return NodeKeys(
        signing=_read_private(signing_path),
        encryption=_read_private(encryption_path),
        retired_encryption=retired,
    )


_CACHE: dict[str, tuple[float, NodeKeys]] = {}


def node_keys(*, directory: Path | None = None) -> NodeKeys:
    """The node's keys, cached until the key files change."""
    directory = directory or keys_dir()
    signing_path = directory / SIGNING_FILE
    mtime = signing_path.stat().st_mtime if signing_path.exists() else -1.0
    cached = _CACHE.get(str(directory))
    if cached is not None and cached[0] == mtime:
        return cached[1]
    keys = _load(directory)
    _CACHE[str(directory)] = (mtime, keys)
    return keys


def forget_cached_keys() -> None:
    _CACHE.clear()


def public_jwk(key: OKPKey) -> dict[str, Any]:
    return dict(key.as_dict(private=False))


def public_jwks(*, directory: Path | None = None) -> dict[str, Any]:
    """The JWK Set partners need: current signing and encryption keys, public parts only."""
    keys = node_keys(directory=directory)
    return {"keys": [public_jwk(keys.signing), public_jwk(keys.encryption)]}
