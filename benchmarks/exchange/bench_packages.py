"""How many typical case packages one core builds, signs and encrypts, and verifies and decrypts.

    taskset -c 0 .venv/bin/python benchmarks/exchange/bench_packages.py [--packages 2000] [--json]

A typical package is the synthetic case in alianza/exchange/tests/fixtures.py with every category
allowed: statistics, a case summary, a four-step route, two suspects and two victims. "Build"
runs the agreement's policy filter and the schema validation; "seal" signs (EdDSA) and encrypts
(ECDH-ES X25519 + A256GCM); "open" decrypts, verifies and validates again, as the inbox does.
The target (issue 5) is 500 packages/s or more for each direction.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.test")

import django  # noqa: E402

django.setup()

from alianza.accounts.authz import Category  # noqa: E402
from alianza.exchange import packages as p  # noqa: E402
from alianza.exchange.tests.fixtures import new_keys, public, typical_snapshot  # noqa: E402

TARGET = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    sender_sig, _ = new_keys()
    _, receiver_enc = new_keys()
    recipient, sender_public = public(receiver_enc), public(sender_sig)
    snapshot = typical_snapshot(consent=frozenset({"PER"}))
    policy = p.Policy(partner_country="PER", agreement="BOL-PER-2006", categories=frozenset(Category))
    envelope = p.Envelope(
        sending_node="alianza-bol", sending_country="BOL", receiving_node="alianza-per",
        purpose="investigation", handling_code="H2", source_grading="B", information_grading="2",
    )

    def build_and_seal() -> str:
        built = p.build_content(snapshot, policy)
        document = p.package_document(built, crime_type="trafficking", policy=policy, envelope=envelope)
        return p.seal(document, signing_key=sender_sig, recipient_key=recipient, sending_node="alianza-bol")

    for _ in range(50):  # warm up
        token = build_and_seal()
    start = time.perf_counter()
    tokens = [build_and_seal() for _ in range(args.packages)]
    seal_seconds = time.perf_counter() - start

    def open_one(token: str) -> None:
        p.open_package(
            token, receiving_node="alianza-per", decryption_key=lambda kid: receiver_enc,
            sender_keys=lambda node: [sender_public],
        )

    for token in tokens[:50]:
        open_one(token)
    start = time.perf_counter()
    for token in tokens:
        open_one(token)
    open_seconds = time.perf_counter() - start

    result = {
        "packages": args.packages,
        "package_bytes": len(tokens[0]),
        "build_sign_encrypt_per_s": round(args.packages / seal_seconds),
        "decrypt_verify_per_s": round(args.packages / open_seconds),
        "target_per_s": TARGET,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"typical package: {result['package_bytes']} bytes (compact JWE)")
        print(f"build + sign + encrypt: {result['build_sign_encrypt_per_s']} packages/s")
        print(f"decrypt + verify + validate: {result['decrypt_verify_per_s']} packages/s")
        print(f"target: {TARGET} packages/s each")
    ok = min(result["build_sign_encrypt_per_s"], result["decrypt_verify_per_s"]) >= TARGET
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
