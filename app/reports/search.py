"""Search and filters over report items: safe full-text terms, the database's match condition, the scoped statement.

What the user types never reaches the search engine as typed: it is cut into lower-case word tokens
(letters and digits only), and each token is quoted (FTS5) or written bare (tsquery), so quotes,
operators, `*`, `NEAR`, `-`, `:` and parentheses carry no meaning.
"""

import re
import unicodedata
from collections import namedtuple
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache, partial
from typing import NamedTuple

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, String, bindparam, column, func, literal_column, select, table, text, true
from sqlalchemy.orm import Session

from .. import clock
from ..access import Scope, prepared_scope_classified, scope_of, scope_values
from ..auth.models import Role, User
from ..db import kept, unchanged_memo
from ..regions.models import Region
from ..regions.services import subtree_between, subtree_bounds, subtree_condition
from .models import Aspect, DailyReport, IssueCategory, ReportItem, ReportStatus, ThreatLevel

# Letters and digits: the underscore is a word character for `\w` but a separator for us.
WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Terms that look like (the start of) a scope token: p63, k6311.
SCOPE_LIKE = re.compile(r"[pk]\d+")
# Shorter terms match whole words only: a one- or two-letter prefix would expand to half the vocabulary.
MIN_PREFIX = 3
# Counting every match of a national search costs a scan; past this many the page says "more than", and
# the matches are found by walking the reports newest first instead of being sorted (see ItemPage).
COUNT_LIMIT = 5_000
# The windows tried first for the newest page of many hits (days back from the newest day asked for), each
# to hold about a page: a province files 15–40 reports a day, the country 514, so nationally three days do.
RECENT_DAYS = (7, 31)
NATIONAL_RECENT_DAYS = (3, 31)
# FTS5 merges the whole doclist of a prefix ("warga"*) before it yields a row: ~100 ms nationally for a word in
# most items, and again for every page and count. OR-ed exact words stream and stop at a LIMIT, so a prefix is
# expanded into the index's own words that begin with it (one seek each in an fts5vocab table); a prefix with
# more words than this stays a prefix query.
MAX_EXPANSION = 40
VOCABULARY = "temp.report_item_words"
SEARCH_TABLE = table("report_item_search", column("rowid"))
SEARCH_VECTOR = literal_column("report_items.search_vector")
# The item's own text an excerpt may come from (never the informant: exports hide it, so excerpts do too).
EXCERPT_FIELDS = ("what", "actors", "how", "why", "desa", "analysis", "prediction", "steps_taken", "recommendation")
EXCERPT_LENGTH = 180


@dataclass(frozen=True)
class ItemFilter:
    """What the user asked for; every field optional. `region` is a kab/kota or a province in their scope."""

    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    region: Region | None = None
    aspect: Aspect | None = None
    category_id: int | None = None
    threat: ThreatLevel | None = None
    status: ReportStatus | None = None


# ---------------------------------------------------------------- terms (pure)


def search_terms(text: str) -> list[str]:
    """Lower-case word tokens of the user's text, de-duplicated, at most eight of at most 40 characters."""
    terms: list[str] = []
    for match in WORD.finditer(unicodedata.normalize("NFKC", text).lower()):
        term = match.group()[:MAX_TERM_LENGTH]
        if term not in terms:
            terms.append(term)
            if len(terms) == MAX_TERMS:
                break
    return terms


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character lower-cased without its accents ('É' → 'e'); unchanged when that is not one character."""
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    bare = unicodedata.normalize("NFC", bare).lower()
    return bare if len(bare) == 1 else char


def fold(text: str) -> str:
    """Lower case without accents, character for character (positions in the result match the original)."""
    if text.isascii():  # most report text: nothing to strip, and lower() keeps every position
        return text.lower()
    return "".join(map(_fold_char, text))


def region_token(region: Region | None) -> str | None:
    """The index token of a region: p63 for a province, k6311 for a kabupaten/kota, None otherwise."""
    if region is None:
        return None
    if region.is_province:
        return f"p{region.code}"
    return f"k{region.code.replace('.', '')}" if region.is_regency else None


def _is_prefix(term: str) -> bool:
    """Whether a term matches the words it begins (else only itself)."""
    return len(term) >= MIN_PREFIX


def fts5_query(terms: list[str], token: str | None = None, expansions: dict[str, list[str]] | None = None) -> str:
    """An FTS5 MATCH expression: every term (as a prefix) in the text, the scope token in `scope`.

    `expansions` gives, for a prefix term, the indexed words beginning with it: they are OR-ed instead.
    """
    parts = []
    for term in terms:
        words = (expansions or {}).get(term)
        if words:
            phrase = "(" + " OR ".join(f'"{word}"' for word in words) + ")"
        else:
            phrase = f'"{term}"*' if _is_prefix(term) else f'"{term}"'
        # Only a term that could hit a scope token is kept to the text columns: a column filter makes
        # FTS5 read positions, which costs on frequent words.
        parts.append("{title body} : " + phrase if SCOPE_LIKE.fullmatch(term) else phrase)
    if token:
        parts.append(f'scope : "{token}"')
    return " AND ".join(parts)


def ts_query(terms: list[str], token: str | None = None) -> str:
    """A PostgreSQL to_tsquery('simple', …) expression with the same meaning.

    The 'simple' configuration keeps accents, so a term typed with accents also looks for its bare form.
    """
    parts = []
    for term in terms:
        star = ":*" if _is_prefix(term) else ""
        bare = fold(term)
        same = bare == term or not WORD.fullmatch(bare)
        parts.append(f"{term}{star}" if same else f"({term}{star} | {bare}{star})")
    if token:
        parts.append(token)
    return " & ".join(parts)


# ---------------------------------------------------------------- statements


def expand_prefixes(session: Session, terms: list[str]) -> dict[str, list[str]]:
    """For each prefix term, the words of the SQLite index that begin with it (none listed when too many).

    The vocabulary table walks the index's terms in order; each step seeks just past the last word found
    (word + chr(1): no indexed word lies between), so a word in a million items costs no more than a rare one.
    """
    known = unchanged_memo(session, "expansions")
    if tuple(terms) in known:
        return known[tuple(terms)]
    session.execute(
        text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY} USING fts5vocab(main, report_item_search, 'instance')")
    )
    step = text(f"SELECT term FROM {VOCABULARY} WHERE term >= :after LIMIT 1")
    expansions = known[tuple(terms)] = {}
    for term in terms:
        if not _is_prefix(term):
            continue
        words, after = [], term
        while len(words) <= MAX_EXPANSION:
            word = session.scalar(step, {"after": after})
            if word is None or not word.startswith(term):
                break
            words.append(word)
            after = word + "\x01"
        if len(words) <= MAX_EXPANSION:
            expansions[term] = words
    return expansions


def _fts5_expression(session: Session, terms: list[str], token: str | None) -> str:
    """The MATCH expression for the SQLite index, prefixes expanded into words."""
    return fts5_query(terms, token, expand_prefixes(session, terms))


def _scope_region(user: User, wanted: ItemFilter) -> Region | None:
    """The narrowest region every hit lies in: the chosen one, else the user's own (none for administrators)."""
    return wanted.region or (None if user.role == Role.ADMIN else user.region)


def _scope_token(user: User, wanted: ItemFilter) -> str | None:
    """The narrowest scope token: that of `_scope_region`."""
    return region_token(_scope_region(user, wanted))


def index_alone_counts(user: User, wanted: ItemFilter) -> bool:
    """Whether the SQLite index by itself holds exactly the items the user may see that match: text and at most
    a region (its scope token), and a user who sees every item in that scope (Rahasia included)."""
    if not search_terms(wanted.text) or any(
        (wanted.date_from, wanted.date_to, wanted.aspect, wanted.category_id, wanted.threat, wanted.status)
    ):
        return False
    if wanted.region is not None and region_token(wanted.region) is None:
        return False
    if user.role in (Role.ADMIN, Role.PROVINSI):
        return user.role == Role.ADMIN or _scope_token(user, wanted) is not None
    region = user.region
    # A kab/kota user sees every item of their own region (its Rahasia ones too), and nothing beyond it.
    return region is not None and region.is_regency and wanted.region in (None, region)


# Built once: built and compiled per request, this statement cost a quarter of its own run (0.25 on 0.96 ms).
INDEX_COUNT = text(
    "SELECT count(*) FROM (SELECT rowid FROM report_item_search WHERE report_item_search MATCH :query LIMIT :limit)"
)


def capped_index_count(session: Session, user: User, wanted: ItemFilter, limit: int) -> int:
    """Matches counted in the SQLite index alone, no further than `limit` (see `index_alone_counts`)."""
    query = _fts5_expression(session, search_terms(wanted.text), _scope_token(user, wanted))
    return session.scalar(INDEX_COUNT, {"query": query, "limit": limit})


class Shape(NamedTuple):
    """What decides the text of the matching statement (its values are bound apart, see `_values`): users
    and filters of one shape share one statement, built and given its cache key once (`_matching`).
    Built anew for each request, the page's statement cost more Python than SQLite took to run it."""

    sqlite: bool
    by_date: bool  # walk the report-date index (SQLite only)
    scope: Scope
    text: bool
    first_item: bool
    recent: bool
    date_from: bool
    date_to: bool
    region: str | None  # "regency", "province" or None
    aspect: bool
    category: bool
    threat: bool
    status: bool


def _shape(session: Session, user: User, wanted: ItemFilter, by_date: bool, recent: "Recent | None") -> Shape:
    """The shape of the statement for this user, filter and plan."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    text_ = bool(search_terms(wanted.text))
    region = None if wanted.region is None else "regency" if wanted.region.is_regency else "province"
    return Shape(
        sqlite=sqlite,
        by_date=by_date and sqlite,
        scope=scope_of(user),
        text=text_,
        first_item=text_ and sqlite and by_date and recent is not None,
        recent=recent is not None,
        date_from=wanted.date_from is not None,
        date_to=wanted.date_to is not None or (by_date and sqlite),
        region=region,
        aspect=wanted.aspect is not None,
        category=bool(wanted.category_id),
        threat=wanted.threat is not None,
        status=wanted.status is not None,
    )


def _values(session: Session, user: User, wanted: ItemFilter, shape: Shape, recent: "Recent | None") -> dict:
    """The values bound into the statement of `shape`: one for each of its bind parameters."""
    values = scope_values(user)
    if shape.text:
        terms, token = search_terms(wanted.text), _scope_token(user, wanted)
        values["text_query"] = _fts5_expression(session, terms, token) if shape.sqlite else ts_query(terms, token)
    if shape.first_item:
        values["first_item"] = recent.first_item
    if shape.recent:
        values["recent_day"] = recent.day
    if shape.date_from:
        values["date_from"] = wanted.date_from
    if shape.date_to:
        # A bound on the date (even a no-op one) is what makes SQLite's planner start from the date index.
        values["date_to"] = wanted.date_to or date.max
    if shape.region == "regency":
        values["region_id"] = wanted.region.id
    elif shape.region == "province":
        values["region_code"], values["region_after"], values["region_before"] = subtree_bounds(wanted.region.code)
    for used, name, value in (
        (shape.aspect, "aspect", wanted.aspect),
        (shape.category, "category_id", wanted.category_id),
        (shape.threat, "threat", wanted.threat),
        (shape.status, "status", wanted.status),
    ):
        if used:
            values[name] = value
    return values


@lru_cache(maxsize=256)
def _matching(shape: Shape) -> Select:
    """The matching statement of a shape, every value a bind parameter (see `matching`)."""
    # `x + 0` is the same value but hides x's index from SQLite's planner; PostgreSQL plans by statistics.
    region_id = DailyReport.region_id + 0 if shape.by_date else DailyReport.region_id
    stmt = (
        select(ReportItem.id)
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .join(Region, DailyReport.region_id == Region.id)
    )
    stmt = prepared_scope_classified(stmt, shape.scope, region_id, DailyReport.classification)
    if shape.text:
        stmt = _with_text(stmt, shape)
    if shape.recent:
        stmt = stmt.where(DailyReport.report_date >= bindparam("recent_day"))
    if shape.date_from:
        stmt = stmt.where(DailyReport.report_date >= bindparam("date_from"))
    if shape.date_to:
        stmt = stmt.where(DailyReport.report_date <= bindparam("date_to"))
    if shape.region == "regency":
        stmt = stmt.where(DailyReport.region_id == bindparam("region_id"))  # its (region, date) index is in date order
    elif shape.region == "province":
        subtree = subtree_between(bindparam("region_code"), bindparam("region_after"), bindparam("region_before"))
        stmt = stmt.where(region_id.in_(select(Region.id).where(subtree)))
    if shape.aspect:
        stmt = stmt.where(ReportItem.aspect == bindparam("aspect"))
    if shape.category:
        stmt = stmt.where(ReportItem.category_id == bindparam("category_id"))
    if shape.threat:
        stmt = stmt.where(ReportItem.threat_level == bindparam("threat"))
    if shape.status:
        stmt = stmt.where(DailyReport.status == bindparam("status"))
    return stmt


def _with_text(stmt: Select, shape: Shape) -> Select:
    """Add the full-text condition: FTS5 on SQLite, the tsvector on PostgreSQL (the query bound, never spliced)."""
    query = bindparam("text_query", type_=String())
    if not shape.sqlite:
        return stmt.where(SEARCH_VECTOR.op("@@")(func.to_tsquery(literal_column("'simple'"), query)))
    match = literal_column("report_item_search").op("MATCH")(query)
    if shape.by_date:  # walking the dates: the hits are collected once and each item is looked up in them
        hits = select(SEARCH_TABLE.c.rowid).where(match)
        if shape.first_item:  # only the recent ones: the index seeks past the rest
            hits = hits.where(SEARCH_TABLE.c.rowid >= bindparam("first_item"))
        return stmt.where((ReportItem.id + 0).in_(hits))
    # The index leads and its hits are joined to their items, so a LIMIT stops it early.
    return stmt.join(SEARCH_TABLE, SEARCH_TABLE.c.rowid == ReportItem.id).where(match)


def _prepared(session, user, wanted, by_date=False, recent=None) -> tuple[Shape, dict]:
    """The shape of the statement and the values to run it with."""
    shape = _shape(session, user, wanted, by_date, recent)
    return shape, _values(session, user, wanted, shape, recent)


def matching(
    session: Session, user: User, wanted: ItemFilter, by_date: bool = False, recent: "Recent | None" = None
) -> Select:
    """Ids of the items the user may see that match the filter, joined to report and region, in no order.

    `by_date` asks SQLite to walk the report-date index newest first (and stop after a page) instead of
    collecting every match by region or by full-text hit and sorting them: right when matches are many.
    `recent` keeps to reports from a day on (and so to the index's hits from their first item on).
    The statement carries its values; the page itself runs the shared prepared one (`load_matching_page`).
    """
    shape, values = _prepared(session, user, wanted, by_date, recent)
    return _matching(shape).params(values)


def newest_first(stmt: Select) -> Select:
    """The order of results and exports: report date (newest first), region code, position in the report."""
    return stmt.order_by(DailyReport.report_date.desc(), Region.code, ReportItem.position, ReportItem.id)


@lru_cache(maxsize=256)
def _page_rows_of(shape: Shape) -> Select:
    """The rows of one page of a shape, newest first: the page's ids (limit and offset bound) chosen inside."""
    page_ids = newest_first(_matching(shape)).limit(bindparam("page_limit")).offset(bindparam("page_offset"))
    return _page_rows(ReportItem.id.in_(page_ids))


def load_matching_page(
    session: Session,
    user: User,
    wanted: ItemFilter,
    limit: int,
    offset: int,
    by_date: bool = False,
    recent: "Recent | None" = None,
) -> list["ResultRow"]:
    """The rows of one page of matching items, newest first, read in one statement (ids chosen inside it).

    Plain named tuples of the columns shown: building item, report and region objects for 50 rows cost
    more than finding them, and a template reads a tuple's field ten times faster than a SQLAlchemy row's.
    The ids and then their rows by a second statement cost ~0.3 ms more Python for the same SQLite time.
    """
    shape, values = _prepared(session, user, wanted, by_date, recent)
    values.update(page_limit=limit, page_offset=offset)
    return [ResultRow._make(row) for row in session.connection().execute(_page_rows_of(shape), values)]


def _page_rows(chosen) -> Select:
    """The columns a results row shows (the item's own, its text for the excerpt, its report's and region's)
    of the items `chosen`, newest first."""
    return newest_first(
        select(
            ReportItem.id,
            ReportItem.report_id,
            ReportItem.title,
            ReportItem.aspect,
            ReportItem.threat_level,
            *(getattr(ReportItem, name) for name in EXCERPT_FIELDS),
            DailyReport.report_date,
            DailyReport.status,
            DailyReport.classification,
            Region.name.label("region_name"),
            IssueCategory.name.label("category_name"),
        )
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .join(Region, DailyReport.region_id == Region.id)
        .outerjoin(IssueCategory, ReportItem.category_id == IssueCategory.id)
        .where(chosen)
    )


ResultRow = namedtuple("ResultRow", _page_rows(true()).selected_columns.keys())


@dataclass(frozen=True)
class Recent:
    """Reports from `day` on, whose items all have ids from `first_item` on."""

    day: date
    first_item: int


def recent_windows(session: Session, wanted: ItemFilter, today: date, within: Region | None = None) -> Iterator[Recent]:
    """Wider and wider windows back from the newest day asked for (a week, a month; nationally three days, a
    month) that hold items.

    With thousands of hits, the newest page lies in the last days: collecting the hits of five years to
    keep 50 cost a tenth of a second nationally; the hits from a window's first item on cost a few ms.
    (Wider windows cost about what they save.) `within` is a region every hit lies in (the chosen one, or
    the user's own): the first item is then that of its reports only, found through the (region, date)
    index — for a province's month, 1,200 reports instead of the country's 16,000 (10 ms on the 1.0 set).
    """
    last = min(wanted.date_to or today, today)
    for days in RECENT_DAYS if within is not None else NATIONAL_RECENT_DAYS:
        day = last - timedelta(days=days)
        if wanted.date_from and day <= wanted.date_from:
            return
        # Kept while nothing is written (sqlite: the only caller): the month's seek is a few ms nationally.
        key = (day, within.id if within is not None else None)
        first = kept(session, "first_items", key, partial(_first_item, session, day, within))
        if first is not None:
            yield Recent(day, first)


def _first_item(session: Session, day: date, within: Region | None) -> int | None:
    """The smallest id of the items of reports from `day` on (in `within`, when given)."""
    # `id + 0`: SQLite would find the minimum by walking every item from the oldest on.
    first_item = (
        select(func.min(ReportItem.id + 0))
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .where(DailyReport.report_date >= day)
    )
    if within is not None and within.is_regency:
        first_item = first_item.where(DailyReport.region_id == within.id)
    elif within is not None:
        in_region = select(Region.id).where(subtree_condition(within.code))
        first_item = first_item.where(DailyReport.region_id.in_(in_region))
    return session.scalar(first_item)


def capped_count(session: Session, stmt: Select, limit: int) -> int:
    """How many rows `stmt` gives, counting no further than `limit` (the answer is then `limit`)."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).limit(limit).subquery()))


class ItemPage(Pagination):
    """A page of matching items for the results list; the total is counted up to COUNT_LIMIT + 1.

    The count comes first because it decides the plan: a few matches are collected and sorted, many
    are found by walking the reports newest first.
    """

    def _query_items(self) -> list["ResultRow"]:
        """The items of this page."""
        session, user, wanted = self._query_args["session"], self._query_args["user"], self._query_args["wanted"]
        if session.get_bind().dialect.name == "sqlite" and index_alone_counts(user, wanted):
            # Joining every hit to its report and region only to count them cost more than the page itself.
            self._counted = capped_index_count(session, user, wanted, COUNT_LIMIT + 1)
        else:
            self._counted = capped_count(session, matching(session, user, wanted), COUNT_LIMIT + 1)
        if self._counted == 0:
            return []

        if self.capped and search_terms(wanted.text) and session.get_bind().dialect.name == "sqlite":
            # The newest page of many hits lies in a recent window; a window holding a whole page holds the
            # right page (every hit outside it is older), else the next, wider one is tried, then all. A short
            # window's rows are dropped (50 plain tuples at most).
            tomorrow = clock.utcnow().date() + timedelta(days=1)
            for recent in recent_windows(session, wanted, tomorrow, _scope_region(user, wanted)):
                rows = load_matching_page(session, user, wanted, self.per_page, self._query_offset, True, recent)
                if len(rows) == self.per_page:
                    return rows
        return load_matching_page(session, user, wanted, self.per_page, self._query_offset, self.capped)

    def _query_count(self) -> int:
        """The number counted before the items were read."""
        return self._counted

    @property
    def capped(self) -> bool:
        """There are more matches than were counted."""
        return self._counted > COUNT_LIMIT


def search_page(session: Session, user: User, wanted: ItemFilter, page: int, per_page: int) -> ItemPage:
    """One page of the items the user may see that match the filter, newest first."""
    return ItemPage(
        page=page, per_page=per_page, max_per_page=None, error_out=False, session=session, user=user, wanted=wanted
    )


# ---------------------------------------------------------------- excerpts (pure)


def term_pattern(terms: Sequence[str]) -> re.Pattern | None:
    """Whole words that start with a term, in folded text (as the index matches: prefix, no case, no accents)."""
    return _term_pattern(tuple(terms)) if terms else None


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """The pattern of `term_pattern`, built once per query rather than once per result row."""
    words = (re.escape(fold(t)) + (r"[^\W_]*" if _is_prefix(t) else r"(?![^\W_])") for t in terms)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(words) + ")")


def excerpt(item, terms: list[str], length: int = EXCERPT_LENGTH) -> list[tuple[str, bool]]:
    """A short piece of the item's text around the first term found, as (text, is a match) segments.

    Without a match in the item's own text (the title matched, say) it is the start of "apa".
    """
    pattern = term_pattern(terms)
    text, at = item.what or "", 0
    for name in EXCERPT_FIELDS if pattern else ():
        value = getattr(item, name) or ""
        found = pattern.search(fold(value))
        if found:
            text, at = value, found.start()
            break
    start = max(0, at - length // 3)
    if start:
        space = text.find(" ", start, at)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", max(at, start + 1), end)
        end = space if space != -1 else end
    segments = [("… ", False)] if start else []
    segments += marked(text[start:end], pattern)
    if end < len(text):
        segments.append((" …", False))
    return segments


def marked(text: str, pattern: re.Pattern | None) -> list[tuple[str, bool]]:
    """`text` as (piece, is a match) segments."""
    if pattern is None:
        return [(text, False)] if text else []
    segments, position = [], 0
    for hit in pattern.finditer(fold(text)):
        segments += [(text[position : hit.start()], False), (text[hit.start() : hit.end()], True)]
        position = hit.end()
    segments.append((text[position:], False))
    return [(piece, is_hit) for piece, is_hit in segments if piece]
