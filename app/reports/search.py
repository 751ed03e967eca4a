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

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from .. import clock
from ..access import scope_classified
from ..auth.models import Role, User
from ..db import kept, unchanged_memo
from ..regions.models import Region
from ..regions.services import subtree_condition
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


def _with_text(
    session: Session,
    stmt: Select,
    terms: list[str],
    token: str | None,
    sqlite: bool,
    by_date: bool,
    first_item: int | None = None,
) -> Select:
    """Add the full-text condition: FTS5 on SQLite, the tsvector on PostgreSQL (both bound, never spliced)."""
    if not sqlite:
        query = func.to_tsquery(literal_column("'simple'"), ts_query(terms, token))
        return stmt.where(SEARCH_VECTOR.op("@@")(query))
    match = _fts5_match(session, terms, token)
    if by_date:  # walking the dates: the hits are collected once and each item is looked up in them
        hits = select(SEARCH_TABLE.c.rowid).where(match)
        if first_item is not None:  # only the recent ones: the index seeks past the rest
            hits = hits.where(SEARCH_TABLE.c.rowid >= first_item)
        return stmt.where((ReportItem.id + 0).in_(hits))
    # The index leads and its hits are joined to their items, so a LIMIT stops it early.
    return stmt.join(SEARCH_TABLE, SEARCH_TABLE.c.rowid == ReportItem.id).where(match)


def _fts5_expression(session: Session, terms: list[str], token: str | None) -> str:
    """The MATCH expression for the SQLite index, prefixes expanded into words."""
    return fts5_query(terms, token, expand_prefixes(session, terms))


def _fts5_match(session: Session, terms: list[str], token: str | None):
    """The bound MATCH condition on the SQLite index."""
    return literal_column("report_item_search").op("MATCH")(_fts5_expression(session, terms, token))


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


def matching(
    session: Session, user: User, wanted: ItemFilter, by_date: bool = False, recent: "Recent | None" = None
) -> Select:
    """Ids of the items the user may see that match the filter, joined to report and region, in no order.

    `by_date` asks SQLite to walk the report-date index newest first (and stop after a page) instead of
    collecting every match by region or by full-text hit and sorting them: right when matches are many.
    `recent` keeps to reports from a day on (and so to the index's hits from their first item on).
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    # `x + 0` is the same value but hides x's index from SQLite's planner; PostgreSQL plans by statistics.
    hidden = by_date and sqlite
    region_id = DailyReport.region_id + 0 if hidden else DailyReport.region_id
    stmt = (
        select(ReportItem.id)
        .join(DailyReport, ReportItem.report_id == DailyReport.id)
        .join(Region, DailyReport.region_id == Region.id)
    )
    stmt = scope_classified(stmt, user, region_id, DailyReport.classification)
    terms = search_terms(wanted.text)
    if terms:
        # The narrowest scope token lets the index itself drop other regions' items.
        first_item = recent.first_item if recent is not None else None
        stmt = _with_text(session, stmt, terms, _scope_token(user, wanted), sqlite, hidden, first_item)
    if recent is not None:
        stmt = stmt.where(DailyReport.report_date >= recent.day)
    if wanted.date_from:
        stmt = stmt.where(DailyReport.report_date >= wanted.date_from)
    if wanted.date_to or hidden:
        # A bound on the date (even a no-op one) is what makes SQLite's planner start from the date index.
        stmt = stmt.where(DailyReport.report_date <= (wanted.date_to or date.max))
    if wanted.region is not None and wanted.region.is_regency:
        stmt = stmt.where(DailyReport.region_id == wanted.region.id)  # its (region, date) index is in date order
    elif wanted.region is not None:
        stmt = stmt.where(region_id.in_(select(Region.id).where(subtree_condition(wanted.region.code))))
    if wanted.aspect:
        stmt = stmt.where(ReportItem.aspect == wanted.aspect)
    if wanted.category_id:
        stmt = stmt.where(ReportItem.category_id == wanted.category_id)
    if wanted.threat:
        stmt = stmt.where(ReportItem.threat_level == wanted.threat)
    if wanted.status:
        stmt = stmt.where(DailyReport.status == wanted.status)
    return stmt


def newest_first(stmt: Select) -> Select:
    """The order of results and exports: report date (newest first), region code, position in the report."""
    return stmt.order_by(DailyReport.report_date.desc(), Region.code, ReportItem.position, ReportItem.id)


def page_ids(
    session: Session,
    user: User,
    wanted: ItemFilter,
    limit: int,
    offset: int,
    by_date: bool = False,
    recent: "Recent | None" = None,
) -> Select:
    """The ids of one page of matching items, newest first: narrow rows, sorted alone."""
    return newest_first(matching(session, user, wanted, by_date, recent)).limit(limit).offset(offset)


def load_page(session: Session, ids: list[int] | Select) -> list["ResultRow"]:
    """The rows of `ids` (a list, or the `page_ids` statement itself) with what a results row shows, newest first.

    Plain named tuples of the columns shown: building item, report and region objects for 50 rows cost
    more than finding them, and a template reads a tuple's field ten times faster than a SQLAlchemy row's.
    For a list the statement is built once (`PAGE_ROWS`): built anew, it cost as much again as its run.
    """
    connection = session.connection()  # plain rows: the ORM's result layer added a third to the read
    if isinstance(ids, list):
        rows = connection.execute(PAGE_ROWS, {"ids": ids}) if ids else []
    else:
        rows = connection.execute(_page_rows(ReportItem.id.in_(ids)))
    return [ResultRow._make(row) for row in rows]


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


PAGE_ROWS = _page_rows(ReportItem.id.in_(bindparam("ids", expanding=True)))
ResultRow = namedtuple("ResultRow", PAGE_ROWS.selected_columns.keys())


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

        def ids(by_date: bool, recent: Recent | None = None) -> list[int]:
            stmt = page_ids(session, user, wanted, self.per_page, self._query_offset, by_date, recent)
            return list(session.connection().scalars(stmt))

        if self.capped and search_terms(wanted.text) and session.get_bind().dialect.name == "sqlite":
            # The newest page of many hits lies in a recent window; a window holding a whole page holds the
            # right page (every hit outside it is older), else the next, wider one is tried, then all. Only
            # the ids are read until then: loading a short page only to drop it cost as much as the page.
            tomorrow = clock.utcnow().date() + timedelta(days=1)
            for recent in recent_windows(session, wanted, tomorrow, _scope_region(user, wanted)):
                found = ids(True, recent)
                if len(found) == self.per_page:
                    return load_page(session, found)
        return load_page(session, page_ids(session, user, wanted, self.per_page, self._query_offset, self.capped))

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
