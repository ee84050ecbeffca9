"""Walking the audit chain to prove it has not been altered, and saying where it was if it has."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from alianza.audit.models import GENESIS_HASH, AuditEntry, AuditHead


class Problem(StrEnum):
    ALTERED = "altered"
    INSERTED = "inserted"
    DELETED = "deleted"


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    problem: Problem | None = None
    seq: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


def audit_chain_verify(*, chunk_size: int = 5000) -> VerifyResult:
    """Check every entry in order; stop at the first altered, inserted or deleted one."""
    prev_hash = GENESIS_HASH
    prev_prev_hash: str | None = None
    prev_seq = 0
    checked = 0
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for entry in entries:
        if entry.prev_hash != prev_hash:
            if entry.seq > prev_seq + 1 and entry.prev_hash != prev_prev_hash:
                return VerifyResult(
                    checked,
                    Problem.DELETED,
                    prev_seq + 1,
                    f"entries {prev_seq + 1}..{entry.seq - 1} are missing before entry {entry.seq}",
                )
            if prev_prev_hash is not None and entry.prev_hash == prev_prev_hash:
                return VerifyResult(
                    checked,
                    Problem.INSERTED,
                    prev_seq,
                    f"entry {prev_seq} does not belong to the chain: entry {entry.seq} "
                    "follows the entry before it",
                )
            return VerifyResult(
                checked,
                Problem.ALTERED,
                entry.seq,
                f"entry {entry.seq} does not link to entry {prev_seq}",
            )
        if entry.seq != prev_seq + 1:
            return VerifyResult(
                checked,
                Problem.INSERTED if entry.seq <= prev_seq else Problem.DELETED,
                entry.seq,
                f"entry {entry.seq} follows entry {prev_seq}: the sequence is broken",
            )
        if entry.compute_hash() != entry.hash:
            return VerifyResult(
                checked, Problem.ALTERED, entry.seq, f"entry {entry.seq} was altered"
            )
        prev_prev_hash, prev_hash, prev_seq = prev_hash, entry.hash, entry.seq
        checked += 1

    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    if head_seq > prev_seq:
        return VerifyResult(
            checked,
            Problem.DELETED,
            prev_seq + 1,
            f"entries {prev_seq + 1}..{head_seq} are missing at the end of the trail",
        )
    if head_seq < prev_seq:
        return VerifyResult(
            checked,
            Problem.INSERTED,
            head_seq + 1,
            f"entries {head_seq + 1}..{prev_seq} were added after the recorded head",
        )
    if head_hash != prev_hash:
        return VerifyResult(checked, Problem.ALTERED, prev_seq, "the recorded head does not match")
    return VerifyResult(checked)
