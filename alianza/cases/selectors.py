"""Reading cases, always through the acting user's authorization.

`visible_cases` narrows the query to cases the user may see at all (owner, explicit share,
national scope); `case_categories_of` then asks `authz.case_categories` what the user may see of
each one, so that the decision itself is made in one place. Names of participants are searched
only in cases where the user may see identities, so a search cannot reveal who is in a case.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Substr
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.accounts.models import Institution
from alianza.audit.models import AuditEntry
from alianza.audit.services import audit_record_now
from alianza.cases.access import CATEGORY_BITS, mask_of
from alianza.cases.choices import Sensitivity, Vocabulary
from alianza.cases.models import (
    Case,
    CaseAccess,
    CaseSearchToken,
    CaseShare,
    ReferenceTerm,
    RouteEvent,
)
from alianza.cases.services import filter_key_country, filter_key_form, search_tokens
from alianza.core.errors import NotFound
from alianza.people.choices import ParticipationRole, RoleInProcess
from alianza.people.models import Participation
from alianza.protection.children import victim_is_child

SORTS: dict[str, tuple[str, ...]] = {
    "-reported_on": ("-reported_on", "-id"),
    "reported_on": ("reported_on", "id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "status": ("status", "-reported_on", "-id"),
    "crime_type": ("crime_type", "-reported_on", "-id"),
    "-updated_at": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class CaseFilter:
    q: str = ""
    crime_type: str = ""
    status: str = ""
    year: int | None = None
    department: str = ""
    exploitation_form: str = ""  # ReferenceTerm code
    institution: int | None = None
    exploitation_country: str = ""  # ISO alpha-3
    sort: str = "-reported_on"


def _role_categories(user: Any) -> frozenset[authz.Category]:
    return authz.ROLE_CATEGORIES.get(getattr(user, "role", ""), frozenset())


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case of which `user` may see at least one category (see authz.case_categories)."""
    if not authz.has_perm(user, authz.Perm.CASE_VIEW):
        return Case.objects.none()
    categories = _role_categories(user)
    shared = CaseShare.objects.filter(institution_id=user.institution_id, category__in=categories)
    condition = Q(owner_institution_id=user.institution_id) | Q(pk__in=shared.values("case_id"))
    if user.role in authz.NATIONAL_SCOPE_ROLES and categories - authz.IDENTITY_CATEGORIES:
        condition |= ~Q(sensitivity=Sensitivity.RESTRICTED)
    return Case.objects.filter(condition)


def _identity_condition(user: Any) -> Q | None:
    """Cases in which `user` may see victims' identities (and so may search their names)."""
    if authz.Category.VICTIM_IDENTITY not in _role_categories(user):
        return None
    shared = CaseShare.objects.filter(
        institution_id=user.institution_id, category=authz.Category.VICTIM_IDENTITY
    ).values("case_id")
    return Q(owner_institution_id=user.institution_id) | Q(pk__in=shared)


def _my_shares(user: Any) -> Prefetch[Any]:
    return Prefetch(
        "shares", queryset=CaseShare.objects.filter(institution_id=user.institution_id), to_attr="my_shares"
    )


def case_categories_of(user: Any, case: Case) -> frozenset[authz.Category]:
    """What `user` may see of `case`. Uses the `my_shares` prefetch when the case has it."""
    shares = getattr(case, "my_shares", None)
    if shares is None:
        shares = list(case.shares.filter(institution_id=user.institution_id))
    shared = frozenset(authz.Category(s.category) for s in shares)
    return authz.case_categories(
        user,
        owner_institution_id=case.owner_institution_id,
        shares={user.institution_id: shared} if shared else None,
        restricted=case.is_restricted,
    )


def _participant_count(roles: list[str]) -> Coalesce:
    return Coalesce(Subquery(
        Participation.objects.filter(case=OuterRef("pk"), role__in=roles)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    ), 0)


def _token_matches(
    word: str, *, is_name: bool | None, owner_id: int | None = None, owner_ids: list[int] | None = None,
) -> QuerySet[Any]:
    """Ids of cases with a token starting with `word`: of names, of other text, or either (None);
    of every case, or only of the cases an institution owns (`owner_id`) or some do (`owner_ids`),
    read from the owners' index.
    """
    tokens = CaseSearchToken.objects.all() if is_name is None else CaseSearchToken.objects.filter(is_name=is_name)
    if owner_id is not None:
        tokens = tokens.filter(owner_institution_id=owner_id)
    if owner_ids is not None:
        tokens = tokens.filter(owner_institution_id__in=owner_ids)
    if connection.vendor == "sqlite":
        # Tokens are [a-z0-9]; under SQLite's byte order this range is exactly the prefix match,
        # and unlike LIKE it can use the index.
        tokens = tokens.filter(token__gte=word, token__lt=word + "\x7f")
    else:
        tokens = tokens.filter(token__startswith=word)  # the varchar_pattern_ops indexes (0002, 0005)
    return tokens.values("case_id")


def _token_probe(word: str, *, is_name: bool, id_field: str = "pk") -> QuerySet[Any]:
    """The tokens of one case (the outer query's) that start with `word` (the tokens' key)."""
    tokens = CaseSearchToken.objects.filter(case=OuterRef(id_field), is_name=is_name)
    if connection.vendor == "sqlite":
        # A prefix compared as a substring, so that SQLite looks the case up rather than the word.
        return tokens.annotate(prefix=Substr("token", 1, len(word))).filter(prefix=word)
    return tokens.filter(token__startswith=word)


def _has_token(word: str, *, is_name: bool, id_field: str) -> Q:
    """The outer query's case has a token starting with `word`: looked up for that case alone.

    A scalar subquery rather than EXISTS: PostgreSQL may answer an EXISTS in an OR from a hash of
    every case's tokens of the word (120,000 for a common surname at 1M cases), where a page
    needs a few lookups of one case each (the tokens' key).
    """
    first = Subquery(_token_probe(word, is_name=is_name, id_field=id_field).values("token")[:1])
    return Q(IsNull(first, False))


def _among_ids(model: Any, column: str, ids: list[int]) -> Q:
    """`column IN ids` with the ids as one parameter (an array on PostgreSQL, JSON on SQLite):
    a list of thousands of parameters costs more to build and send than the query to run."""
    quote = connection.ops.quote_name
    target = f"{quote(model._meta.db_table)}.{quote(column)}"
    params: list[Any]
    if connection.vendor == "postgresql":
        sql, params = f"{target} = ANY(%s)", [list(ids)]
    elif connection.vendor == "sqlite":
        sql, params = f"{target} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]  # noqa: S608 - names from the model
    else:
        return Q(**{f"{column}__in": ids})
    return Q(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611 - names from the model, ids as a parameter


def _word_probe(word: str, names: Q | bool, id_field: str) -> Q:
    """The outer query's case has a token starting with `word`: of its other text, or of names
    where `names` allows."""
    match = _has_token(word, is_name=False, id_field=id_field)
    if names is False:
        return match
    name_match = _has_token(word, is_name=True, id_field=id_field)
    return match | (name_match if names is True else names & name_match)  # the condition first: no lookup where it fails


def _candidates_match(words: list[str], names: Q, id_field: str) -> Q:
    """For cases that have a token of each of `words`, of names or not (the candidates of
    `_few_matches`): they match where `names` holds, elsewhere only if each word is a token of
    their other text. The condition first: no lookup where it holds."""
    others = Q()
    for word in words:
        others &= _has_token(word, is_name=False, id_field=id_field)
    return names | others


@dataclass(frozen=True)
class _Part:
    """A part of what a user may see, and how to search and read it (see `_visible_parts`)."""

    cases: Q
    names: Q | bool  # where names may be searched: every case of the part, none, or a condition's
    owner_id: int | None = None  # every case of the part is this institution's: search its own tokens
    walk: bool = False  # probe the words' matches while reading the part in index order
    among: QuerySet[Any] | None = None  # the ids of the part's cases, when few (the shared ones)
    owners: QuerySet[Any] | None = None  # the shared part: the institutions that own its cases (ids)
    shared_mask: int = 0  # the shared part: the categories that count (CaseAccess.mask bits)
    identity_bit: int = 0  # the shared part: names count where this bit is shared (0: nowhere)


def _filtered(
    qs: QuerySet[Any], filters: CaseFilter, *, names: Q | bool, owner_id: int | None = None, walk: bool = False,
    matching: list[int] | None = None, id_field: str = "pk",
) -> QuerySet[Any]:
    """`qs` narrowed by the search words and the filters: the one definition of what matches.

    `names` says where participants' names may be searched: in every case of `qs`, in none,
    or only in the cases of a condition, for a name search must not reveal who is in a case the
    user may not see identities of. With `walk`, a word's matches are only probed while the
    database reads `qs` in the list's index order, instead of driving the query case by case
    from them, which costs a row lookup per match of a common name. `matching` gives the ids of
    the cases the words match (when few, see `_few_matches`) instead of the words: exactly, or,
    where names count only in some cases, candidates that have each word as a token of a name or
    of other text, checked one by one (`_candidates_match`). `id_field`
    names the case's id in `qs` (`case_id` in `CaseAccess`, whose rows have the filtered columns).
    """
    column = "id" if id_field == "pk" else id_field
    probe: Any = F(column) + 0 if walk else F(column)  # "id + 0" cannot drive the query from the ids
    words = sorted(search_tokens(filters.q), key=len, reverse=True)
    if matching is not None:
        qs = qs.filter(_among_ids(qs.model, column, matching))
        if isinstance(names, Q) and words:  # check the candidates' own tokens
            qs = qs.filter(_candidates_match(words, names, id_field))
        words = []  # otherwise the ids are exactly the matches
    elif id_field != "pk":
        # Read in index order with each row's own tokens probed: a page reads few rows.
        for word in words:
            qs = qs.filter(_word_probe(word, names, id_field))
        words = []
    for word in words:
        qs = qs.alias(probe_id=probe)
        if names is True:
            qs = qs.filter(probe_id__in=_token_matches(word, is_name=None, owner_id=owner_id))
            continue
        matches = Q(probe_id__in=_token_matches(word, is_name=False, owner_id=owner_id))
        if names is not False:
            matches |= Q(probe_id__in=_token_matches(word, is_name=True, owner_id=owner_id)) & names
        qs = qs.filter(matches)
    if filters.crime_type:
        qs = qs.filter(crime_type=filters.crime_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(reported_on__gte=dt.date(filters.year, 1, 1), reported_on__lt=dt.date(filters.year + 1, 1, 1))
    if filters.department:
        qs = qs.filter(department=filters.department)
    if filters.exploitation_form:
        # The case's forms and countries are denormalised columns of the case (kept by
        # services.case_search_columns) so that these filters are read from the list's indexes.
        term = ReferenceTerm.objects.filter(vocabulary=Vocabulary.EXPLOITATION_FORM, code=filters.exploitation_form)
        term_id = term.values_list("pk", flat=True).first()
        if term_id is None:
            return qs.none()
        qs = qs.filter(filter_keys__contains=filter_key_form(term_id))
    if filters.institution:
        qs = qs.filter(owner_institution_id=filters.institution)
    if filters.exploitation_country:
        qs = qs.filter(filter_keys__contains=filter_key_country(filters.exploitation_country.upper()[:3]))
    return qs


def _with_list_columns(qs: QuerySet[Case], acting_user: Any) -> QuerySet[Case]:
    return (
        qs.select_related("owner_institution")
        .prefetch_related(_my_shares(acting_user), "exploitation_forms")
        .annotate(
            # Correlated subqueries rather than a join with GROUP BY: the database counts only for
            # the rows of the page, not for every matching case before it sorts and limits.
            victim_count=_participant_count([ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON]),
            suspect_count=_participant_count([ParticipationRole.SUSPECT]),
        )
    )


def case_list(*, acting_user: Any, filters: CaseFilter) -> QuerySet[Case]:
    """Every case `acting_user` may see that matches `filters`, in one query (exports, the API)."""
    qs = _filtered(visible_cases(acting_user), filters, names=_identity_condition(acting_user) or False)
    return _with_list_columns(qs, acting_user).order_by(*SORTS.get(filters.sort, SORTS["-reported_on"]))


def _shared_ids(user: Any, mask: int) -> QuerySet[Any]:
    """The ids of the cases shared with the user's institution (not its own) in a category of `mask`."""
    institution = user.institution_id
    return (
        CaseAccess.objects.filter(institution_id=institution)
        .exclude(owner_institution_id=institution)
        .alias(shared=F("mask").bitand(mask))
        .exclude(shared=0)
        .values("case_id")
    )


def _shared_owners(user: Any) -> QuerySet[Any]:
    """The ids of the institutions (not the user's) that own cases shared with the user's
    institution: one probe of index case_access_owner per institution. Maybe more than own a
    case of the user's part (the categories are not looked at): they only narrow a search."""
    institution = user.institution_id
    shared = CaseAccess.objects.filter(institution_id=institution, owner_institution_id=OuterRef("pk"))
    return Institution.objects.filter(Exists(shared)).exclude(pk=institution).order_by().values_list("pk", flat=True)


def _visible_parts(user: Any) -> list[_Part]:
    """`visible_cases(user)` cut into disjoint parts, with where names may be searched in each.

    The union of the parts is exactly `visible_cases`, and names are searchable in exactly the
    cases `_identity_condition` allows (alianza/cases/tests/test_selectors.py checks both): the
    institution's own cases; the cases shared with it (names where shared with victims'
    identities); for national scope every other case that is not restricted.

    The own cases and national scope are many: a page and a count read them in the list's index
    order and stop after their rows, probing the search words' matches. The shared cases are
    read from `CaseAccess` in the list's order too (see `_shared_rows`), or from the shares for
    the other sorts.
    """
    if not authz.has_perm(user, authz.Perm.CASE_VIEW):
        return []
    categories = _role_categories(user)
    own = Q(owner_institution_id=user.institution_id)
    mine = CaseShare.objects.filter(institution_id=user.institution_id)
    shared_ids = mine.filter(category__in=categories).values("case_id")
    shared = Q(pk__in=shared_ids)
    identity = authz.Category.VICTIM_IDENTITY in categories
    identity_shares = mine.filter(category=authz.Category.VICTIM_IDENTITY)
    # In the shared part names count where victims' identities are shared with the institution.
    # With no such share at all (one probe of cases_share_lookup), they count nowhere there, and
    # a search reads the other text's tokens alone instead of probing every shared case for a
    # name (the ministry's 22,000 shared cases at 1M, none with identities).
    shared_names = identity and identity_shares.exists()
    parts = [
        # Walked for the count too: a count stops at COUNT_LIMIT matches, read in the index's order.
        _Part(own, identity, owner_id=user.institution_id, walk=True),
        _Part(
            shared & ~own, Q(pk__in=identity_shares.values("case_id")) if shared_names else False,
            among=_shared_ids(user, mask_of(categories)), owners=_shared_owners(user), shared_mask=mask_of(categories),
            identity_bit=CATEGORY_BITS[authz.Category.VICTIM_IDENTITY] if shared_names else 0,
        ),
    ]
    if user.role in authz.NATIONAL_SCOPE_ROLES and categories - authz.IDENTITY_CATEGORIES:
        parts.append(_Part(~own & ~shared & ~Q(sensitivity=Sensitivity.RESTRICTED), False, walk=True))
    return parts


FEW_MATCHES = 5_000  # a search matching at most this many cases of a part is read from their ids


def _few_matches(part: _Part, words: list[str]) -> list[int] | None:
    """The ids of the cases that have every word (in the part's own tokens if it has an owner,
    its owners' for the shared part), if they are few; else None. Where names count only in some
    cases, these are candidates that `_filtered` checks one by one; in the shared part, also cases
    of those owners not shared with the user, which `_filtered` leaves out.

    A selective search is best answered from its matches, a common one by reading the list in
    order and probing; databases guess which badly at scale, so the tokens decide: one index
    read, stopped after FEW_MATCHES.
    """
    if not words:
        return None
    kind = False if part.names is False else None  # where names count somewhere, every token is a candidate
    if part.owners is not None:
        # The shared cases' owners' tokens (the prosecution's for the police: a third of the
        # registry's), not the registry's, and not intersected with the shared cases
        # themselves (42,000 at 1M cases): the part's query reads those by id.
        owners = list(part.owners)
        if not owners:
            return []
        lists = [_token_matches(word, is_name=kind, owner_ids=owners) for word in words]
    else:
        lists = [_token_matches(word, is_name=kind, owner_id=part.owner_id) for word in words]
    if len(lists) == 1:
        # One word: more than FEW_MATCHES of its tokens (one index range, no case read) are
        # taken as many, without reading them.
        if lists[0][FEW_MATCHES : FEW_MATCHES + 1].exists():
            return None
        return list(lists[0].distinct().values_list("case_id", flat=True))
    ids = lists[0].intersection(*lists[1:]).values_list("case_id", flat=True)
    found = list(ids[: FEW_MATCHES + 1])
    return found if len(found) <= FEW_MATCHES else None


COUNT_LIMIT = 10_000  # the list counts its matches exactly up to here, then says "more than"

# The sorts that the shared part reads from CaseAccess (index case_access_list), by their columns there.
ACCESS_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("-reported_on", "-id"): ("-reported_on", "-case_id"), ("reported_on", "id"): ("reported_on", "case_id"),
}


def _shared_rows(user: Any, part: _Part, filters: CaseFilter, matching: list[int] | None) -> QuerySet[Any]:
    """The cases shared with the user's institution (not its own) that match `filters`, from
    CaseAccess: the shares of a category the user's role may see (`part.shared_mask`), names
    searched where victims' identities are shared (`part.identity_bit`). The same cases as
    `part.cases` and `part.names` select; the rows hold the sort and filter columns."""
    institution = user.institution_id
    qs = (
        CaseAccess.objects.filter(institution_id=institution)
        .exclude(owner_institution_id=institution)
        .alias(shared=F("mask").bitand(part.shared_mask))
        .exclude(shared=0)
    )
    names: Q | bool = False
    if part.identity_bit:
        qs = qs.alias(identity=F("mask").bitand(part.identity_bit))
        names = ~Q(identity=0)
    return _filtered(qs, filters, names=names, matching=matching, id_field="case_id")


@dataclass
class CasePage:
    """One page of the case list, and how many cases match (exactly up to COUNT_LIMIT)."""

    rows: list[Case]
    number: int
    page_size: int
    count: int
    count_is_exact: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        return max(1, -(-self.count // self.page_size)) if self.count_is_exact else None

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _sorted_rows(rows: list[tuple[Any, ...]], order: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """`rows` (id, then the sort columns in `order`) in the list's order, as ORDER BY would sort
    them: one stable sort per key, the last key first. The sort columns are dates, ids and ASCII
    codes, which every collation orders alike."""
    keys = ["id", *dict.fromkeys(name.lstrip("-") for name in order if name.lstrip("-") != "id")]
    for name in reversed(order):
        index = keys.index(name.lstrip("-"))
        rows.sort(key=lambda row: row[index], reverse=name.startswith("-"))
    return rows


def case_page(*, acting_user: Any, filters: CaseFilter, number: int = 1, page_size: int = 25) -> CasePage:
    """The case list page by page, for the list screen, where a first page must come fast.

    Each part of what the user may see (`_visible_parts`) is asked separately for its first
    rows in the list's order, which the database reads from one index and stops early; the page
    is the first rows of their merge. The total is counted part by part, exactly up to
    COUNT_LIMIT; above that the page says there are more, as large search engines do, instead
    of counting a million rows. A constant number of queries, whatever the number of cases.
    """
    if not authz.has_perm(acting_user, authz.Perm.CASE_VIEW):
        return CasePage([], 1, page_size, 0, True, False)
    order = SORTS.get(filters.sort, SORTS["-reported_on"])
    columns = ["id", *dict.fromkeys(name.lstrip("-") for name in order if name.lstrip("-") != "id")]

    words = sorted(search_tokens(filters.q), key=len, reverse=True)
    few: dict[int, list[int] | None] = {}

    def part_query(index: int, part: _Part) -> QuerySet[Any]:
        if index not in few:
            # A search common in the institution's own cases is common in those shared with it:
            # not worth the look.
            common = part.among is not None and index > 0 and few.get(0) is None
            few[index] = None if common else _few_matches(part, words)
        if part.shared_mask and order in ACCESS_ORDERS:
            return _shared_rows(acting_user, part, filters, few[index]).order_by()
        qs = _filtered(
            Case.objects.filter(part.cases), filters, names=part.names, owner_id=part.owner_id,
            walk=part.walk and few[index] is None, matching=few[index],
        )
        return qs.order_by()

    parts = _visible_parts(acting_user)

    def in_order(index: int, part: _Part) -> QuerySet[Any]:
        qs = part_query(index, part)
        if qs.model is CaseAccess:
            return qs.order_by(*ACCESS_ORDERS[order]).values_list("case_id", *columns[1:])
        return qs.order_by(*order).values_list(*columns)

    # A part answered from few matching ids is read once, whole: counted and paged from here.
    read: dict[int, list[tuple[Any, ...]]] = {}
    counted = 0
    for index, part in enumerate(parts):
        qs = part_query(index, part)
        if few[index] is not None:
            read[index] = list(in_order(index, part))
            counted += len(read[index])
        else:
            counted += qs[: COUNT_LIMIT + 1 - counted].count()
        if counted > COUNT_LIMIT:
            break
    count, exact = min(counted, COUNT_LIMIT), counted <= COUNT_LIMIT
    last = max(1, -(-count // page_size)) if exact else None
    number = max(1, min(number, last) if last else number)
    start = (number - 1) * page_size
    candidates: list[tuple[Any, ...]] = []
    for index, part in enumerate(parts):
        found = read[index] if index in read else in_order(index, part)
        candidates += list(found[: start + page_size + 1])
    ids = [row[0] for row in _sorted_rows(candidates, order)[start : start + page_size + 1]]
    rows = {case.pk: case for case in _with_list_columns(Case.objects.filter(pk__in=ids[:page_size]), acting_user)}
    return CasePage([rows[pk] for pk in ids[:page_size] if pk in rows], number, page_size, count, exact, len(ids) > page_size)


def case_years() -> list[int]:
    """The years from the first case to the last, newest first (two index reads, not a scan)."""
    dates = Case.objects.order_by().values_list("reported_on", flat=True)
    first, last = dates.order_by("reported_on").first(), dates.order_by("-reported_on").first()
    if first is None or last is None:
        return []
    return list(range(last.year, first.year - 1, -1))


# --- one case ----------------------------------------------------------------------------------

def identity_category(role: str) -> authz.Category:
    """Suspects' identities are suspect identity; everyone else in a case is protected as a victim."""
    return authz.Category.SUSPECT_IDENTITY if role == ParticipationRole.SUSPECT else authz.Category.VICTIM_IDENTITY


def masked_label(role: str, number: int) -> str:
    labels = {
        ParticipationRole.VICTIM: _("Victim %(number)d"),
        ParticipationRole.SUSPECT: _("Suspect %(number)d"),
        ParticipationRole.WITNESS: _("Witness %(number)d"),
        ParticipationRole.COMPLAINANT: _("Complainant %(number)d"),
        ParticipationRole.MISSING_PERSON: _("Missing person %(number)d"),
    }
    return labels.get(ParticipationRole(role), _("Person %(number)d")) % {"number": number}


@dataclass
class ParticipantView:
    participation: Participation
    identity_visible: bool
    label: str  # the name when visible, a numbered role label when masked

    @property
    def person(self) -> Any:
        return self.participation.person if self.identity_visible else None

    @property
    def roles_in_process_labels(self) -> list[str]:
        """A suspect's HTCDS roles in the process, in the user's language."""
        labels = dict(RoleInProcess.choices)
        return [str(labels.get(value, value)) for value in self.participation.roles_in_process]


@dataclass
class CaseDetail:
    case: Case
    categories: frozenset[authz.Category]
    editable: bool
    participants: list[ParticipantView] = field(default_factory=list)
    route: list[RouteEvent] = field(default_factory=list)
    history: list[AuditEntry] = field(default_factory=list)

    @property
    def sees_route(self) -> bool:
        return authz.Category.ROUTE in self.categories


def participants_of(
    case: Case, categories: frozenset[authz.Category], *, acting_user: Any
) -> list[ParticipantView]:
    """The case's participants, each named only if `categories` include their identity.

    A child victim is named only to the fewest roles (authz.victim_identity_visible).
    """
    counters: dict[str, int] = {}
    views = []
    today = timezone.localdate()
    for participation in case.participations.all():
        counters[participation.role] = counters.get(participation.role, 0) + 1
        masked = masked_label(participation.role, counters[participation.role])
        category = identity_category(participation.role)
        visible = category in categories
        if visible and category == authz.Category.VICTIM_IDENTITY:
            visible = authz.victim_identity_visible(
                acting_user,
                categories=categories,
                is_child=victim_is_child(
                    birth_date=participation.person.birth_date,
                    age_when_trafficked=participation.age_when_trafficked,
                    today=today,
                ),
            )
        if visible:
            person = participation.person
            name = person.full_name or (person.aliases[0] if person.aliases else "")
            views.append(ParticipantView(participation, True, name or masked))
        else:
            views.append(ParticipantView(participation, False, masked))
    return views


def participations_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "participations",
        queryset=Participation.objects.select_related("person", "forced_labour_industry", "proceeding")
        .prefetch_related(
            "person__documents", "person__contacts", "recruitment_methods", "means_of_control", "exploitation_forms"
        )
        .order_by("role", "id"),
    )


def case_get(*, acting_user: Any, case_id: int, with_history: bool = True, shows_identities: bool = True) -> CaseDetail:
    """One case as `acting_user` may see it.

    When the caller shows the participants (`shows_identities`), a view that includes a victim's
    identity is audited; callers that only check the case or show its summary pass False.
    """
    case = (
        visible_cases(acting_user)
        .select_related("owner_institution", "created_by")
        .prefetch_related(
            _my_shares(acting_user),
            "exploitation_forms",
            participations_prefetch(),
            Prefetch("route_events", queryset=RouteEvent.objects.select_related("border_crossing")),
            Prefetch("shares", queryset=CaseShare.objects.select_related("institution"), to_attr="all_shares"),
        )
        .filter(pk=case_id)
        .first()
    )
    categories = case_categories_of(acting_user, case) if case is not None else frozenset()
    if case is None or not categories:
        raise NotFound(_("There is no such case, or you may not see it."))
    shares: dict[int, set[authz.Category]] = {}
    for share in case.all_shares:
        shares.setdefault(share.institution_id, set()).add(authz.Category(share.category))
    detail = CaseDetail(
        case=case,
        categories=categories,
        editable=authz.case_editable(
            acting_user,
            owner_institution_id=case.owner_institution_id,
            shares={k: frozenset(v) for k, v in shares.items()},
        ),
        participants=participants_of(case, categories, acting_user=acting_user),
        route=list(case.route_events.all()) if authz.Category.ROUTE in categories else [],
    )
    if with_history:
        detail.history = list(
            AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("-seq")[:100]
        )
    if shows_identities and any(
        p.identity_visible and identity_category(p.participation.role) == authz.Category.VICTIM_IDENTITY
        for p in detail.participants
    ):
        audit_record_now(actor=acting_user, action="victim_identity.view", obj=case)
    return detail
