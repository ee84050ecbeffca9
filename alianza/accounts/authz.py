"""The one authorization layer: what a user may see and do.

Every web view, API operation, export and command that touches case data asks this module. It
weighs four things:

* the user's **role**, which grants permissions (`ROLE_PERMISSIONS`) and the sensitivity
  categories of case data the role may ever see (`ROLE_CATEGORIES`);
* the **owning institution** of the data: a user sees a case only if their institution owns it,
* or it has been **shared** with their institution (for some categories), or their role has
  national scope (coordinators and analysts), which never includes identities;
* the **sensitivity category**: victim identity is the most sensitive and is only for the case team.

Routes are covered by `ROUTE_RULES` (Django URL names) and `API_RULES` (API operation ids). A route
without a rule is refused, and the authorization test fails for it, so a new endpoint cannot be
added without deciding who may use it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from alianza.accounts.roles import MFA_REQUIRED_ROLES, Role

if TYPE_CHECKING:
    from alianza.accounts.models import User


class Perm(StrEnum):
    ADMIN_SITE = "admin.access"
    USERS_MANAGE = "users.manage"
    REFERENCE_MANAGE = "reference.manage"
    AUDIT_VIEW = "audit.view"
    CASE_VIEW = "case.view"
    CASE_CREATE = "case.create"
    CASE_EDIT = "case.edit"
    CASE_IMPORT = "case.import"
    CASE_EXPORT = "case.export"
    PROTECTION_MANAGE = "protection.manage"
    PROSECUTION_MANAGE = "prosecution.manage"
    LINKAGE_REVIEW = "linkage.review"
    LINKAGE_ALERTS = "linkage.alerts"
    STATS_VIEW = "stats.view"
    STATS_PUBLISH = "stats.publish"
    AGREEMENTS_MANAGE = "agreements.manage"
    EXCHANGE_SEND = "exchange.send"
    EXCHANGE_REVIEW = "exchange.review"
    PLAN_MANAGE = "plan.manage"
    CONSENT_OVERRIDE = "protection.consent_override"


class Category(StrEnum):
    """Sensitivity categories of case data, from least to most sensitive."""

    STATISTICS = "statistics"
    CASE_SUMMARY = "case_summary"
    ROUTE = "route"
    SUSPECT_IDENTITY = "suspect_identity"
    VICTIM_IDENTITY = "victim_identity"


IDENTITY_CATEGORIES = frozenset({Category.SUSPECT_IDENTITY, Category.VICTIM_IDENTITY})
ALL_CATEGORIES = frozenset(Category)
_CASE_TEAM = frozenset(
    {Perm.CASE_VIEW, Perm.CASE_CREATE, Perm.CASE_EDIT, Perm.CASE_IMPORT, Perm.CASE_EXPORT, Perm.STATS_VIEW,
     Perm.LINKAGE_ALERTS}
)

ROLE_PERMISSIONS: Mapping[str, frozenset[Perm]] = {
    Role.ADMINISTRATOR: frozenset({Perm.ADMIN_SITE, Perm.USERS_MANAGE, Perm.REFERENCE_MANAGE}),
    Role.COORDINATOR: frozenset(
        {
            Perm.CASE_VIEW,
            Perm.CASE_EXPORT,
            Perm.LINKAGE_REVIEW,
            Perm.LINKAGE_ALERTS,
            Perm.STATS_VIEW,
            Perm.STATS_PUBLISH,
            Perm.AGREEMENTS_MANAGE,
            Perm.PLAN_MANAGE,
            Perm.CONSENT_OVERRIDE,
        }
    ),
    Role.CASE_WORKER: _CASE_TEAM | {Perm.PROTECTION_MANAGE},
    Role.INVESTIGATOR: _CASE_TEAM | {Perm.LINKAGE_REVIEW},
    Role.PROSECUTOR: _CASE_TEAM | {Perm.PROSECUTION_MANAGE},
    Role.ANALYST: frozenset({Perm.CASE_VIEW, Perm.STATS_VIEW}),
    Role.PARTNER_LIAISON: frozenset({Perm.CASE_VIEW, Perm.EXCHANGE_SEND, Perm.EXCHANGE_REVIEW, Perm.LINKAGE_ALERTS}),
    Role.AUDITOR: frozenset({Perm.AUDIT_VIEW}),
}

ROLE_CATEGORIES: Mapping[str, frozenset[Category]] = {
    Role.ADMINISTRATOR: frozenset(),
    Role.COORDINATOR: ALL_CATEGORIES,
    Role.CASE_WORKER: ALL_CATEGORIES,
    Role.INVESTIGATOR: ALL_CATEGORIES,
    Role.PROSECUTOR: ALL_CATEGORIES,
    Role.ANALYST: frozenset({Category.STATISTICS, Category.CASE_SUMMARY, Category.ROUTE}),
    Role.PARTNER_LIAISON: ALL_CATEGORIES,
    Role.AUDITOR: frozenset(),
}

# Roles that see the non-identifying part of every institution's cases.
NATIONAL_SCOPE_ROLES = frozenset({Role.COORDINATOR, Role.ANALYST})


# --- users -------------------------------------------------------------------------------------


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def mfa_satisfied(user: Any) -> bool:
    """A privileged user must have passed a second factor in this session (django-otp)."""
    if user.role not in MFA_REQUIRED_ROLES:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def is_verified(user: Any) -> bool:
    """Signed in, in an institution, and past any second factor the role requires."""
    return is_signed_in(user) and user.institution_id is not None and mfa_satisfied(user)


def has_perm(user: Any, perm: Perm) -> bool:
    if not is_verified(user):
        return False
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())


def permissions_of(user: Any) -> frozenset[Perm]:
    if not is_verified(user):
        return frozenset()
    return ROLE_PERMISSIONS.get(user.role, frozenset())


# --- case data ---------------------------------------------------------------------------------


def case_categories(
    user: User | Any,
    *,
    owner_institution_id: int,
    shares: Mapping[int, frozenset[Category]] | None = None,
    restricted: bool = False,
) -> frozenset[Category]:
    """The categories of one case's data that `user` may see; empty means the case is hidden.

    `shares` maps an institution id to the categories shared with it. A restricted case is
    never visible through national scope, only to its owner and explicit shares.
    """
    if not has_perm(user, Perm.CASE_VIEW):
        return frozenset()
    allowed = ROLE_CATEGORIES.get(user.role, frozenset())
    if user.institution_id == owner_institution_id:
        return allowed
    shared = (shares or {}).get(user.institution_id) if user.institution_id is not None else None
    if shared:
        return allowed & shared
    if user.role in NATIONAL_SCOPE_ROLES and not restricted:
        return allowed - IDENTITY_CATEGORIES
    return frozenset()


def case_editable(
    user: User | Any,
    *,
    owner_institution_id: int,
    shares: Mapping[int, frozenset[Category]] | None = None,
) -> bool:
    """Whether `user` may change a case: its owner's case team, or an institution it is shared with in full."""
    if not has_perm(user, Perm.CASE_EDIT):
        return False
    if user.institution_id == owner_institution_id:
        return True
    shared = (shares or {}).get(user.institution_id) if user.institution_id is not None else None
    return shared is not None and shared >= ALL_CATEGORIES


# --- victims: children and referrals ---------------------------------------------------------

# A child victim's identity is for the fewest roles: the protection case workers working on them,
# and the partner liaison who must send it for a repatriation or transnational referral (which the
# exchange policy allows only with recorded consent or a legal basis).
CHILD_IDENTITY_ROLES = frozenset({Role.CASE_WORKER, Role.PARTNER_LIAISON})


def victim_identity_visible(user: User | Any, *, categories: frozenset[Category], is_child: bool) -> bool:
    """Whether `user` may see who a victim is, given the case categories they may see."""
    if Category.VICTIM_IDENTITY not in categories:
        return False
    return not is_child or user.role in CHILD_IDENTITY_ROLES


def referral_party(
    user: User | Any, *, from_institution_id: int, receiving_institution_ids: Collection[int | None]
) -> str | None:
    """"referrer" or "receiver" when the user's institution takes part in a referral, else None."""
    if not has_perm(user, Perm.PROTECTION_MANAGE) or user.institution_id is None:
        return None
    if user.institution_id == from_institution_id:
        return "referrer"
    if user.institution_id in receiving_institution_ids:
        return "receiver"
    return None


def referral_visible_grants(
    user: User | Any,
    *,
    receiving_institution_ids: Collection[int | None],
    granted: Collection[str],
    identity_grants: Collection[str],
    is_open: bool,
    consent_in_force: bool,
    consent_overridden: bool,
    is_child: bool,
) -> frozenset[str]:
    """What a receiving institution's user sees of a referred victim: only what the referral grants,
    only while it is open, and only while its consent stands (or a coordinator overrode it).
    Withdrawing consent therefore stops the sharing at the next request."""
    if not has_perm(user, Perm.PROTECTION_MANAGE) or user.institution_id not in receiving_institution_ids:
        return frozenset()
    if not is_open or not (consent_in_force or consent_overridden):
        return frozenset()
    visible = frozenset(granted)
    if is_child and user.role not in CHILD_IDENTITY_ROLES:
        visible -= frozenset(identity_grants)
    return visible


# --- linkage ---------------------------------------------------------------------------------


def linkage_pair_reviewable(user: User | Any, *, knows_left: bool, knows_right: bool) -> bool:
    """A reviewer decides a candidate pair when they may know of at least one of its two records
    (person pages' rule); what they see of each record is still decided record by record."""
    return has_perm(user, Perm.LINKAGE_REVIEW) and (knows_left or knows_right)


def match_alert_visible(user: User | Any, *, institution_id: int) -> bool:
    """A missing-person match alert is for the users of the institution it was raised for."""
    return has_perm(user, Perm.LINKAGE_ALERTS) and user.institution_id == institution_id


def match_alert_names_case(user: User | Any, *, owner_institution_id: int, restricted: bool) -> bool:
    """An alert names the other institution's case by its reference (never who is in it), so the two
    can get in touch; a restricted case is only said to exist, with its institution."""
    return user.institution_id == owner_institution_id or not restricted


# --- routes ------------------------------------------------------------------------------------


class Access(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # signed in, even before the second factor (MFA pages, logout)
    VERIFIED = "verified"  # signed in and past the second factor, any role


@dataclass(frozen=True)
class Rule:
    access: Access = Access.VERIFIED
    perm: Perm | None = None

    def allows(self, user: Any) -> bool:
        if self.access == Access.PUBLIC:
            return True
        if self.access == Access.SIGNED_IN:
            return is_signed_in(user)
        if self.perm is None:
            return is_verified(user)
        return has_perm(user, self.perm)


PUBLIC = Rule(Access.PUBLIC)
SIGNED_IN = Rule(Access.SIGNED_IN)
VERIFIED = Rule(Access.VERIFIED)


def needs(perm: Perm) -> Rule:
    return Rule(Access.VERIFIED, perm)


# Django URL names. A name ending in ":*" covers a whole namespace.
ROUTE_RULES: dict[str, Rule] = {
    "core:home": VERIFIED,
    "core:healthz": PUBLIC,
    "core:readyz": PUBLIC,
    "set_language": PUBLIC,
    "javascript-catalog": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": SIGNED_IN,
    "accounts:mfa_setup": SIGNED_IN,
    "accounts:mfa_verify": SIGNED_IN,
    "accounts:profile": VERIFIED,
    "accounts:token_create": VERIFIED,
    "accounts:token_revoke": VERIFIED,
    "audit:entry_list": needs(Perm.AUDIT_VIEW),
    "admin:*": needs(Perm.ADMIN_SITE),
    "protection:*": needs(Perm.PROTECTION_MANAGE),
    "protection:provider_list": needs(Perm.CASE_VIEW),
    "protection:referral_override": needs(Perm.CONSENT_OVERRIDE),
    "protection:referral_dispatch": needs(Perm.EXCHANGE_SEND),
    "protection:transnational_queue": needs(Perm.EXCHANGE_SEND),
    "stats:dashboard": needs(Perm.STATS_VIEW),
    "stats:public_dashboard": PUBLIC,
    "stats:glotip_download": needs(Perm.STATS_VIEW),
    "stats:microdata_download": needs(Perm.STATS_VIEW),
    "stats:report_download": needs(Perm.STATS_VIEW),
    "stats:privacy_release": needs(Perm.STATS_PUBLISH),
    "stats:population": needs(Perm.STATS_PUBLISH),
    "plan:plan_list": needs(Perm.STATS_VIEW),
    "plan:plan_detail": needs(Perm.STATS_VIEW),
    "plan:measurement_record": needs(Perm.PLAN_MANAGE),
    "cases:case_list": needs(Perm.CASE_VIEW),
    "cases:case_detail": needs(Perm.CASE_VIEW),
    "cases:case_create": needs(Perm.CASE_CREATE),
    "cases:case_edit": needs(Perm.CASE_EDIT),
    "cases:participant_add": needs(Perm.CASE_EDIT),
    "cases:participant_remove": needs(Perm.CASE_EDIT),
    "cases:route_event_add": needs(Perm.CASE_EDIT),
    "cases:route_event_delete": needs(Perm.CASE_EDIT),
    "people:person_detail": needs(Perm.CASE_VIEW),
    "cases:case_export": needs(Perm.CASE_EXPORT),
    "cases:import_start": needs(Perm.CASE_IMPORT),
    "cases:import_map": needs(Perm.CASE_IMPORT),
    "cases:proceeding_record": needs(Perm.CASE_EDIT),
    "people:person_edit": needs(Perm.CASE_EDIT),
    "cases:participant_edit": needs(Perm.CASE_EDIT),
    "agreements:*": needs(Perm.AGREEMENTS_MANAGE),
    "exchange:*": needs(Perm.EXCHANGE_SEND),
    "exchange:inbox": needs(Perm.EXCHANGE_REVIEW),
    "exchange:inbound_upload": needs(Perm.EXCHANGE_REVIEW),
    "exchange:inbound_detail": needs(Perm.EXCHANGE_REVIEW),
    "linkage:review_queue": needs(Perm.LINKAGE_REVIEW),
    "linkage:pair_detail": needs(Perm.LINKAGE_REVIEW),
    "linkage:pair_decide": needs(Perm.LINKAGE_REVIEW),
    "linkage:alert_list": needs(Perm.LINKAGE_ALERTS),
    "linkage:alert_update": needs(Perm.LINKAGE_ALERTS),
}

# API operation ids (see alianza.api). The API enforces these itself; the middleware leaves the
# "api" namespace to it so that errors come back in the API's JSON format.
API_NAMESPACE = "api"
API_RULES: dict[str, Rule] = {
    "openapi_json": PUBLIC,
    "openapi_view": PUBLIC,
    "me": VERIFIED,
    "token_list": VERIFIED,
    "token_create": VERIFIED,
    "token_revoke": VERIFIED,
    "institution_list": VERIFIED,
    "audit_entry_list": needs(Perm.AUDIT_VIEW),
    "case_list": needs(Perm.CASE_VIEW),
    "case_read": needs(Perm.CASE_VIEW),
    "case_create": needs(Perm.CASE_CREATE),
    "case_update": needs(Perm.CASE_EDIT),
    "case_delete": needs(Perm.CASE_EDIT),
    "case_share": needs(Perm.CASE_EDIT),
    "person_list": needs(Perm.CASE_VIEW),
    "person_read": needs(Perm.CASE_VIEW),
    "person_create": needs(Perm.CASE_EDIT),
    "person_update": needs(Perm.CASE_EDIT),
    "participation_list": needs(Perm.CASE_VIEW),
    "participation_create": needs(Perm.CASE_EDIT),
    "participation_update": needs(Perm.CASE_EDIT),
    "participation_delete": needs(Perm.CASE_EDIT),
    "route_event_list": needs(Perm.CASE_VIEW),
    "route_event_create": needs(Perm.CASE_EDIT),
    "route_event_update": needs(Perm.CASE_EDIT),
    "route_event_delete": needs(Perm.CASE_EDIT),
    "reference_term_list": VERIFIED,
    "protection_provider_list": needs(Perm.CASE_VIEW),
    "protection_consent_create": needs(Perm.PROTECTION_MANAGE),
    "protection_consent_withdraw": needs(Perm.PROTECTION_MANAGE),
    "protection_plan_create": needs(Perm.PROTECTION_MANAGE),
    "protection_referral_create": needs(Perm.PROTECTION_MANAGE),
    "protection_referral_override": needs(Perm.CONSENT_OVERRIDE),
    "protection_referral_list": needs(Perm.PROTECTION_MANAGE),
    "protection_referral_get": needs(Perm.PROTECTION_MANAGE),
    "protection_referral_transition": needs(Perm.PROTECTION_MANAGE),
    "protection_referral_dispatch": needs(Perm.EXCHANGE_SEND),
    "protection_transnational_queue": needs(Perm.EXCHANGE_SEND),
    # A partner node has no user here: the package's signature authenticates it (exchange.api).
    "exchange_inbox_receive": PUBLIC,
    "exchange_node_jwks": PUBLIC,
    "exchange_receipt_receive": PUBLIC,
    "exchange_outbox_list": needs(Perm.EXCHANGE_SEND),
    "exchange_inbox_list": needs(Perm.EXCHANGE_REVIEW),
    "exchange_inbox_import": needs(Perm.EXCHANGE_REVIEW),
    "linkage_pair_list": needs(Perm.LINKAGE_REVIEW),
    "linkage_pair_read": needs(Perm.LINKAGE_REVIEW),
    "linkage_pair_confirm": needs(Perm.LINKAGE_REVIEW),
    "linkage_pair_reject": needs(Perm.LINKAGE_REVIEW),
    "linkage_pair_undo": needs(Perm.LINKAGE_REVIEW),
    "linkage_alert_list": needs(Perm.LINKAGE_ALERTS),
    "linkage_alert_update": needs(Perm.LINKAGE_ALERTS),
}


def route_rule(view_name: str) -> Rule | None:
    rule = ROUTE_RULES.get(view_name)
    if rule is not None:
        return rule
    namespace = view_name.rsplit(":", 1)[0] if ":" in view_name else ""
    while namespace:
        rule = ROUTE_RULES.get(f"{namespace}:*")
        if rule is not None:
            return rule
        namespace = namespace.rsplit(":", 1)[0] if ":" in namespace else ""
    return None


def api_rule(operation_id: str) -> Rule | None:
    return API_RULES.get(operation_id)
