"""Records → dated notices: the six notice kinds of the contract, with stable ids and URLs.

A notice's id and URL depend only on what identifies it (village, period, decision 编号,
year, publish date), never on its figures, so they never change once published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from decimal import Decimal
from functools import cached_property, partial
from operator import attrgetter

from . import rules
from .config import Config
from .errors import Where
from .journal import Books
from .model import (
    Commitment,
    Correction,
    Entry,
    Period,
    Progress,
    Records,
    Review,
    Village,
    group_slug,
)
from .pickling import replaced, tuple_getter

KIND_NAMES = {
    "finance": "财务收支公开",
    "resolution": "决议公开",
    "outcome": "实施结果公开",
    "commitments": "承诺公开",
    "progress": "践诺情况公示",
    "review": "评诺结果公示",
}


@dataclass(frozen=True, slots=True)
class SubjectGroup:
    subject: str
    entries: tuple[Entry, ...]
    income: Decimal
    expense: Decimal


@dataclass(frozen=True, slots=True, eq=False)
class FinanceBody:
    """A period's book. Its entries, and its sums and entries grouped by subject, are worked
    out when first asked for, not when the notice is made: a rebuild carries most finance
    notices over by the hash it kept (check_cache) and never shows them. Making a county's
    notices took 1.8 s with the sums worked out for all 17,000, 1.1 s without; and the entries
    of a file the check cache gave back are not even unpickled then (journal)."""

    period: Period
    book: Callable[[], tuple[Entry, ...]] = field(repr=False)  # gives the entries, by date, then voucher
    late: bool
    _entries: tuple[Entry, ...] | None = field(default=None, init=False, repr=False)
    _worked: tuple | None = field(default=None, init=False, repr=False)

    # What plain() gives, in this order: the content its hash and JSON download are of.
    PLAIN = ("period", "entries", "income_subjects", "expense_subjects", "income", "expense", "closing", "late")

    @classmethod
    def of(cls, period: Period, entries: tuple[Entry, ...], late: bool) -> FinanceBody:
        """A body with its entries at hand."""
        return cls(period, lambda: entries, late)

    @property
    def entries(self) -> tuple[Entry, ...]:
        if self._entries is None:
            object.__setattr__(self, "_entries", self.book())  # frozen: set once, as given
            object.__setattr__(self, "book", None)  # what it held (journal.Books) is not kept for it
        return self._entries

    def __eq__(self, other) -> bool:
        if not isinstance(other, FinanceBody):
            return NotImplemented
        return (self.period, self.entries, self.late) == (other.period, other.entries, other.late)

    __hash__ = None  # as a dataclass with eq: not hashable

    def __reduce__(self):
        """Pickled (for a rendering worker) with its entries: the journal stays here."""
        return FinanceBody.of, (self.period, self.entries, self.late)

    def _work(self) -> tuple:
        if self._worked is None:
            income, expense = rules.totals(self.entries)
            closing = rules.closing_balance(self.period.opening, income, expense)
            worked = (income, expense, closing, _subjects(self.entries, "income"), _subjects(self.entries, "expense"))
            object.__setattr__(self, "_worked", worked)  # frozen: set once, as the content it follows from
        return self._worked

    @property
    def income(self) -> Decimal:
        return self._work()[0]

    @property
    def expense(self) -> Decimal:
        return self._work()[1]

    @property
    def closing(self) -> Decimal:
        return self._work()[2]

    @property
    def income_subjects(self) -> tuple[SubjectGroup, ...]:
        return self._work()[3]

    @property
    def expense_subjects(self) -> tuple[SubjectGroup, ...]:
        return self._work()[4]


@dataclass(frozen=True, slots=True)
class CommitmentBody:
    commitments: tuple[Commitment, ...]

    def by_cadre(self) -> list[tuple[str, str, list[Commitment]]]:
        """(name, role, commitments) per cadre, in the order the clerk listed them."""
        cadres: dict[tuple[str, str], list[Commitment]] = {}
        for item in self.commitments:
            cadres.setdefault((item.name, item.role), []).append(item)
        return [(name, role, items) for (name, role), items in cadres.items()]


@dataclass(frozen=True, slots=True)
class ProgressBody:
    items: tuple[tuple[Progress, Commitment | None], ...]


@dataclass(frozen=True, slots=True)
class ReviewBody:
    reviews: tuple[Review, ...]
    threshold: Decimal


@dataclass(frozen=True)
class Notice:
    id: str
    kind: str
    village: Village
    group: str | None
    title: str
    date: dt.date
    window_end: dt.date
    year: int
    slug: str
    body: object  # FinanceBody, Decision, CommitmentBody, ProgressBody or ReviewBody
    corrections: tuple[Correction, ...] = ()  # declared 更正, oldest first
    original: dict | None = field(default=None, compare=False)  # content of the version replaced
    archive: str | None = field(default=None, compare=False)  # folder where that version stays

    @property
    def version(self) -> int:
        return len(self.corrections) + 1

    @property
    def source(self) -> Where:
        """The clerk's row the notice comes from, for messages about it."""
        body = self.body
        if isinstance(body, FinanceBody):
            return body.period.where
        if isinstance(body, CommitmentBody):
            return body.commitments[0].where
        if isinstance(body, ProgressBody):
            return body.items[0][0].where
        if isinstance(body, ReviewBody):
            return body.reviews[0].where
        return body.where

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @cached_property  # asked for half a million times in a county's rebuild
    def folder(self) -> str:
        """The notice's folder below the site root; every notice sits at the same depth."""
        return f"v/{self.village.code}/{self.year}/{self.slug}/"

    @property
    def url(self) -> str:
        return self.folder + "index.html"

    @property
    def pdf(self) -> str:
        return f"{self.folder}{self.id}.pdf"

    @property
    def data(self) -> str:
        return f"{self.folder}{self.id}.csv"

    @property
    def json(self) -> str:
        return f"{self.folder}{self.id}.json"

    @property
    def issuer(self) -> str:
        """The issuing body printed as 落款."""
        name = self.village.name
        if self.kind == "finance":
            return f"{name}{self.group}" if self.group else f"{name}村民委员会"
        if self.kind in ("resolution", "outcome"):
            return f"中共{name}支部委员会　{name}村民委员会"
        return f"中共{name}支部委员会"

    @property
    def late(self) -> bool:
        return isinstance(self.body, FinanceBody) and self.body.late

    def canonical(self) -> dict:
        """The notice's content as plain data: what its hash, JSON download and history are of.

        Made anew on each call, not kept: at county scale these dicts would be most of the
        build's memory, and only the hash is needed again (see _sha256).
        """
        document = {
            "id": self.id, "kind": self.kind, "title": self.title,
            "village": self.village.code, "village_name": self.village.name,
            "township": self.village.township, "group": self.group,
            "date": self.date.isoformat(), "window_end": self.window_end.isoformat(),
            "content": plain(self.body),
        }
        if self.corrections:  # only then: an uncorrected notice keeps the hash it always had
            document["corrections"] = [{"date": c.date.isoformat(), "reason": c.reason} for c in self.corrections]
        return document

    def sha256(self) -> str:
        return self._sha256

    @cached_property
    def _sha256(self) -> str:
        return _content_hash(canonical_text(self.canonical()))

    @property
    def hashed(self) -> bool:
        """Whether sha256() is known already (then it costs nothing)."""
        return "_sha256" in self.__dict__

    def remember_hash(self, sha256: str) -> None:
        """The hash found for the same content before (check_cache), as cached_property stores it."""
        self.__dict__["_sha256"] = sha256

    def changed(self, **changes) -> Notice:
        """The notice with `changes`: itself when they change nothing, else a copy, which keeps
        the known hash when its corrections (the only changeable field the hash covers) stay."""
        if all(getattr(self, name) == value for name, value in changes.items()):
            return self  # most notices: no correction, nothing to copy (50,000 at county scale)
        copy = replace(self, **changes)
        if self.hashed and copy.corrections == self.corrections:
            copy.remember_hash(self._sha256)
        return copy

    def canonical_and_hash(self) -> tuple[dict, str, str]:
        """canonical(), its canonical_text() and sha256() from one walk of the content and one
        serialisation (the downloads need all three: the JSON download is that text, hashed)."""
        document = self.canonical()
        text = canonical_text(document)
        if not self.hashed:
            self.remember_hash(_content_hash(text))
        return document, text, self._sha256

    def listed(self) -> list[str]:
        """What a list of notices (a village's pages, a feed) may show of this one: its title,
        kind, dates, issuer, village and township names and 逾期 flag are all in its content,
        which its hash stands for, in a key a tenth the length (50,000 of them a rebuild)."""
        return [self.id, self.folder, self.sha256()]

    @property
    def code(self) -> str:
        """A short verification code printed on paper: the first 40 bits of the hash."""
        return verification_code(self.sha256())


def canonical_text(document: dict) -> str:
    """A notice's canonical() as the text its hash is of: sorted keys, no spaces."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _content_hash(text: str) -> str:
    """A notice's hash, of its canonical_text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Crockford's base32: no I, L, O or U, so a code read aloud or retyped is not misread.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# Every 10 bits as their two characters: a code is four look-ups (the verify index makes
# 50,000 codes at county scale; a character at a time took 0.28 s of a rebuild).
_PAIRS = [_CROCKFORD[high] + _CROCKFORD[low] for high in range(32) for low in range(32)]


def verification_code(sha256_hex: str) -> str:
    bits = int(sha256_hex[:10], 16)  # 40 bits → 8 characters
    return f"{_PAIRS[bits >> 30]}{_PAIRS[bits >> 20 & 1023]}-{_PAIRS[bits >> 10 & 1023]}{_PAIRS[bits & 1023]}"


_SCALARS = (str, int, bool, type(None))


def plain(value):
    """Dataclasses, Decimals and dates as JSON-ready values; source locations left out."""
    kind = type(value)
    if kind in _SCALARS:  # most values: checked first, as this runs for every cell of every notice
        return value
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _converter(value)
    return convert(value)


def _converter(value) -> Callable:
    """How plain() turns a value of this type into plain data, found once per type."""
    if is_dataclass(value):
        names = getattr(value, "PLAIN", None) or tuple(f.name for f in fields(value) if f.name != "where")
        values = tuple_getter(names)  # all fields in one call: getattr per field was most of the cost
        return lambda record: dict(zip(names, map(plain, values(record)), strict=True))
    if isinstance(value, (list, tuple)):
        return lambda items: [plain(item) for item in items]
    if isinstance(value, Decimal):
        return lambda amount: f"{amount:.2f}"
    if isinstance(value, dt.date):
        return lambda day: day.isoformat()
    return lambda other: other


_CONVERTERS: dict[type, Callable] = {}


def _notice(village: Village, kind: str, slug: str, title: str, day: dt.date, days: int,
            year: int, body: object, group: str | None = None) -> Notice:
    return Notice(
        id=f"{village.code}-{slug}", kind=kind, village=village, group=group, title=title,
        date=day, window_end=rules.window_end(day, days), year=year, slug=slug, body=body,
    )


def _subjects(entries: list[Entry], side: str) -> tuple[SubjectGroup, ...]:
    grouped: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if getattr(entry, side) is not None:
            grouped[entry.subject].append(entry)
    result = []
    for subject in sorted(grouped):
        items = tuple(grouped[subject])
        income, expense = rules.totals(items)
        result.append(SubjectGroup(subject, items, income, expense))
    return tuple(result)


def _finance(records: Records, config: Config) -> list[Notice]:
    books = Books(records.entries, records.villages)
    notices = []
    for period in records.periods:
        village = records.villages[period.village]
        slug = f"finance-{period.key.code.lower()}" + (f"-{group_slug(period.group)}" if period.group else "")
        body = FinanceBody(period, partial(books.entries, (period.village, period.group, period.key)),
                           rules.is_late(period.key, period.publish_date, config.late_after_day))
        notices.append(_notice(
            village, "finance", slug, f"{village.name}{period.group or ''}{period.key.label}财务收支公开",
            period.publish_date, period.days or config.days_for("finance"), period.key.year, body,
            group=period.group,
        ))
    return notices


def _matter(title: str) -> str:
    return title if title.startswith("关于") else f"关于{title}"


def _decisions(records: Records, config: Config) -> list[Notice]:
    notices = []
    for decision in records.decisions:
        village = records.villages[decision.village]
        # What was resolved is posted before anything is carried out: the resolution notice
        # holds no outcome, so adding the outcome later never changes a published notice.
        resolved_only = replaced(decision, outcome="", outcome_published=None)
        stages = [("resolution", decision.resolution_published, "的决议公开", resolved_only)]
        if decision.outcome_published is not None:
            stages.append(("outcome", decision.outcome_published, "的实施结果公开", decision))
        for kind, day, suffix, body in stages:
            notices.append(_notice(
                village, kind, f"{kind}-{decision.id}", f"{village.name}{_matter(decision.title)}{suffix}",
                day, config.days_for(kind), day.year, body,
            ))
    return notices


def _commitments(records: Records, config: Config) -> list[Notice]:
    by_year: dict[tuple[str, int], list[Commitment]] = defaultdict(list)
    for item in records.commitments:
        by_year[(item.village, item.year)].append(item)
    notices = []
    for (code, year), items in by_year.items():
        village = records.villages[code]
        # Made public when the last of them was, so no commitment shows before its own date.
        day = max(item.published for item in items)
        notices.append(_notice(
            village, "commitments", f"commitments-{year}", f"{village.name}{year}年村干部承诺公开",
            day, config.days_for("commitments"), year, CommitmentBody(tuple(items)),
        ))
    return notices


def _dated(records: Records, config: Config, kind: str, items: list, title: str) -> list[Notice]:
    """Progress and review rows of a village with the same 公开日期 form one notice."""
    by_day: dict[tuple[str, dt.date], list] = defaultdict(list)
    for item in items:
        by_day[(item.village, item.published)].append(item)
    commitments = {(c.village, c.year, c.id): c for c in records.commitments}
    notices = []
    for (code, day), rows in by_day.items():
        village = records.villages[code]
        years = sorted({row.year for row in rows})
        year_text = "、".join(str(y) for y in years)
        if kind == "progress":
            body = ProgressBody(tuple((row, commitments.get((row.village, row.year, row.commitment))) for row in rows))
        else:
            body = ReviewBody(tuple(rows), config.unsatisfied_threshold)
        notices.append(_notice(
            village, kind, f"{kind}-{day.isoformat()}", f"{village.name}{year_text}年村干部{title}",
            day, config.days_for(kind), day.year, body,
        ))
    return notices


def make_notices(records: Records, config: Config) -> list[Notice]:
    """Every notice the records make, published or not, in a stable order."""
    notices = [
        *_finance(records, config),
        *_decisions(records, config),
        *_commitments(records, config),
        *_dated(records, config, "progress", records.progress, "践诺情况公示"),
        *_dated(records, config, "review", records.reviews, "评诺结果公示"),
    ]
    return sorted(notices, key=lambda n: (n.date, n.village.code, n.id))


def newest_first(notices: list[Notice]) -> list[Notice]:
    """The order every list of notices shows (home page, village pages, feeds): by date and then
    id, newest first, defined here once. The hubs and the feeds each sort a county's notices
    once (0.04 s) and split them, instead of sorting again for the home page and for each of
    725 villages' and 49 townships' feeds."""
    return sorted(notices, key=attrgetter("date", "id"), reverse=True)


def published(notices: list[Notice], as_of: dt.date) -> list[Notice]:
    """A notice is published when its date is on or before the build's date."""
    return [n for n in notices if n.date <= as_of]
