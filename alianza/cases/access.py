"""The cases shared with each institution, as one row per case and institution (`CaseAccess`).

The case list reads an institution's own cases from an index in the list's order and stops after
its page (`selectors.case_page`). The cases shared with it were read from the shares, every one
of them joined to its case, for each page and each count: a cost that grew with the number of
shares (42,000 for the police in the 1M benchmark). `CaseAccess` holds, per case and institution
it is shared with, the bit mask of the shared categories and copies of the case's columns that
the list sorts and filters on, so that the shared part is an index range as well.

Database triggers keep it, whatever writes (services, bulk imports with COPY, raw SQL): a share
added or removed sets the mask (a row with no category left goes), and a change to one of the
copied columns of a case is copied to its rows. SQLite drops a table's triggers when a migration
rebuilds it, so `ensure` (run after every `migrate`) puts missing ones back and rebuilds the rows.
"""

# Every statement here is built from constants, never input.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from alianza.accounts.authz import Category
from alianza.core.bulk import triggers_named

TABLE = "cases_caseaccess"
CASE = "cases_case"
SHARE = "cases_caseshare"
PREFIX = "cases_access_"
# A category's bit in `CaseAccess.mask`; fixed, since the rows store them.
CATEGORY_BITS = {
    Category.STATISTICS: 1, Category.CASE_SUMMARY: 2, Category.ROUTE: 4,
    Category.SUSPECT_IDENTITY: 8, Category.VICTIM_IDENTITY: 16,
}  # fmt: skip
# The case's columns copied to its rows: what the shared part of the list sorts and filters on.
COPIED = ("reported_on", "owner_institution_id", "crime_type", "status", "department", "filter_keys")


def mask_of(categories: Any) -> int:
    return sum(CATEGORY_BITS[Category(c)] for c in set(categories))


def _bit(column: str) -> str:
    cases = " ".join(f"WHEN '{category.value}' THEN {bit}" for category, bit in CATEGORY_BITS.items())
    return f"(CASE {column} {cases} ELSE 0 END)"


def _mask_of_shares(case: str, institution: str) -> str:
    # Shares are unique per (case, institution, category): the sum of distinct bits is their OR.
    return (
        f"(SELECT COALESCE(SUM(DISTINCT {_bit('s.category')}), 0) FROM {SHARE} s "
        f"WHERE s.case_id = {case} AND s.institution_id = {institution})"
    )


def _share_added(row: str) -> str:
    copied = ", ".join(f"c.{c}" for c in COPIED)
    return (
        f"INSERT INTO {TABLE} (case_id, institution_id, mask, {', '.join(COPIED)}) "
        f"SELECT c.id, {row}.institution_id, {_bit(row + '.category')}, {copied} FROM {CASE} c WHERE c.id = {row}.case_id "
        f"ON CONFLICT (case_id, institution_id) DO UPDATE SET mask = {TABLE}.mask | excluded.mask"
    )


def _share_removed(row: str) -> list[str]:
    where = f"case_id = {row}.case_id AND institution_id = {row}.institution_id"
    return [
        f"UPDATE {TABLE} SET mask = {_mask_of_shares(row + '.case_id', row + '.institution_id')} WHERE {where}",
        f"DELETE FROM {TABLE} WHERE {where} AND mask = 0",
    ]


def _case_changed(row: str) -> str:
    return f"UPDATE {TABLE} SET {', '.join(f'{c} = {row}.{c}' for c in COPIED)} WHERE case_id = {row}.id"


def _case_removed(row: str) -> str:
    return f"DELETE FROM {TABLE} WHERE case_id = {row}.id"


def _bodies() -> dict[str, tuple[str, str, str, list[str]]]:
    """Trigger name → (event, table, condition or "", statements on NEW / OLD)."""
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COPIED)
    return {
        f"{PREFIX}share_insert": ("INSERT", SHARE, "", [_share_added("NEW")]),
        f"{PREFIX}share_delete": ("DELETE", SHARE, "", _share_removed("OLD")),
        f"{PREFIX}share_update": ("UPDATE", SHARE, "", [*_share_removed("OLD"), _share_added("NEW")]),
        f"{PREFIX}case_update": ("UPDATE", CASE, changed, [_case_changed("NEW")]),
        f"{PREFIX}case_delete": ("DELETE", CASE, "", [_case_removed("OLD")]),
    }


def trigger_statements(vendor: str) -> dict[str, list[str]]:
    """Trigger name → the statements that create it (and its function, on PostgreSQL)."""
    out: dict[str, list[str]] = {}
    for name, (event, table, condition, statements) in _bodies().items():
        if vendor == "postgresql":
            when = f" WHEN ({condition})" if condition else ""
            body = "".join(f"  {s};\n" for s in statements)
            out[name] = [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}  RETURN NULL;\nEND $$",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()",
            ]
        else:
            when = f" WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            body = " ".join(f"{s};" for s in statements)
            out[name] = [f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body} END"]
    return out


def rebuild_statements() -> list[str]:
    """The rows as the shares and cases stand now."""
    copied = ", ".join(f"c.{c}" for c in COPIED)
    return [
        f"DELETE FROM {TABLE}",
        f"INSERT INTO {TABLE} (case_id, institution_id, mask, {', '.join(COPIED)}) "
        f"SELECT s.case_id, s.institution_id, SUM(DISTINCT {_bit('s.category')}), {copied} "
        f"FROM {SHARE} s JOIN {CASE} c ON c.id = s.case_id GROUP BY s.case_id, s.institution_id, {copied}",
    ]


def installed(connection: Any) -> set[str]:
    return triggers_named(connection, PREFIX)


def install(connection: Any) -> None:
    """Create every trigger (dropping any there is) and rebuild the rows."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for name, statements in trigger_statements(vendor).items():
            table = _bodies()[name][1]
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if vendor == "postgresql" else f"DROP TRIGGER IF EXISTS {name}")
            for statement in statements:
                cursor.execute(statement)
        for statement in rebuild_statements():
            cursor.execute(statement)


def ensure(connection: Any) -> bool:
    """Install the triggers if some are missing (a table rebuilt by a migration); True if it did."""
    from django.db import transaction

    if connection.vendor not in ("sqlite", "postgresql"):
        return False
    tables = connection.introspection.table_names()
    if TABLE not in tables or set(trigger_statements(connection.vendor)) <= installed(connection):
        return False
    with transaction.atomic(using=connection.alias):
        install(connection)
    return True
