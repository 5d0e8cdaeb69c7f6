"""Provides the runs filter language: parse a query once, then test it against many rows.

Grammar (keywords are case-insensitive)::

    query      := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr (["and"] not_expr)*      # adjacent terms are and-ed
    not_expr   := "not" not_expr | "(" or_expr ")" | comparison | word
    comparison := FIELD OP VALUE                     # OP: = != < <= > >= ~ !~

Examples: ``status=FAILED and config.lr>0.01``, ``experiment~svm``, ``started<2h`` (started less
than two hours ago; units s m h d w), ``result>=0.9``, ``metric.loss.last<0.1``, ``duration>5m``, ``tag=baseline`` (any of the run's
tags; ``tag!=x`` means none is x), ``note~broken``, ``archived=true``.
A bare word (or quoted text) keeps rows whose visible cells contain it, ignoring case.
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sacred_tui.data.fields import DURATION, FIELD_NAMES, TAGS, TIME, Field, resolve_field
from sacred_tui.data.format import utc_to_epoch
from sacred_tui.data.query_keys import config_problem, metric_problem
from sacred_tui.data.rows import RunRow

OPERATORS = ("!=", "<=", ">=", "!~", "==", "=", "<", ">", "~")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_SPAN = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$", re.IGNORECASE)
_TOKEN = re.compile(
    r"\s+|(?P<lp>\()|(?P<rp>\))|(?P<op>!=|<=|>=|!~|==|=|<|>|~)"
    r"|(?P<str>\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?)|(?P<word>[^\s()=!<>~\"']+|!)"
)

Haystack = Callable[[RunRow], str]
Predicate = Callable[[RunRow, float, Haystack], bool]


class QueryError(ValueError):
    """A filter text could not be parsed; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position + 1})")
        self.position = position


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    pos: int


def _value_end(text: str, start: int) -> int:
    """End of an unquoted value starting at ``start``: up to whitespace, leaving unbalanced ')'."""
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    value = text[start:end]
    while value.endswith(")") and value.count("(") < value.count(")"):
        value = value[:-1]
    return start + len(value)


def tokenize(text: str) -> list[_Token]:
    """Split a query into tokens; raises QueryError on an unterminated quote.

    The value after an operator runs to the next space, so ``experiment~svm(rbf|lin)`` keeps its
    regular expression whole; a ``)`` closing an outer group is still left out.
    """
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        after_op = bool(tokens) and tokens[-1].kind == "op"
        if after_op and not text[pos].isspace() and text[pos] not in "\"'":
            end = _value_end(text, pos)
            if end > pos:
                tokens.append(_Token("word", text[pos:end], pos))
                pos = end
                continue
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - the pattern matches every character
            raise QueryError(f"unexpected {text[pos]!r}", pos)
        pos = match.end()
        kind = match.lastgroup
        if kind is None:
            continue
        value = match.group()
        if kind == "str":
            if len(value) < 2 or value[-1] != value[0]:
                raise QueryError(f"unterminated quote {value[0]}", match.start())
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif kind == "word" and value.lower() in ("and", "or", "not"):
            kind = value.lower()
        tokens.append(_Token(kind, value, match.start()))
    return tokens


def parse_span(text: str) -> float | None:
    """Return seconds for ``90s``, ``5m``, ``2h``, ``1.5d``, ``1w``; None if not a span."""
    match = _SPAN.match(text.strip())
    if match is None:
        return None
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "==": operator.eq, "!=": operator.ne,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def _compare(left: Any, op: str, right: Any) -> bool:
    if op in ("=", "=="):
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    try:
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        return False


def _value_test(op: str, raw: str, pos: int) -> Callable[[Any], bool]:
    """Build the test of one stored value against the literal ``raw`` (missing never matches)."""
    if op in ("~", "!~"):
        try:
            pattern = re.compile(raw, re.IGNORECASE)
        except re.error:
            pattern = re.compile(re.escape(raw), re.IGNORECASE)
        want = op == "~"
        return lambda value: value is not None and (pattern.search(_as_text(value)) is not None) == want
    number = _number(raw)
    folded = raw.casefold()
    ordering = op not in ("=", "==", "!=")
    compare = _OPERATORS[op]

    def test(value: Any) -> bool:
        if number is not None and (value.__class__ is float or value.__class__ is int):
            return compare(value, number)  # the common case, as the general path decides it
        if value is None:
            return op == "!="
        if number is not None:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return _compare(value, op, number)
            if isinstance(value, str) and _number(value) is not None:
                return _compare(float(value), op, number)
        if ordering and (number is not None or not isinstance(value, (str, int, float))):
            return False  # a number against text, or a dict/list: not comparable
        return _compare(_as_text(value).casefold(), op, folded)

    return test


def _time_test(field: Field, op: str, raw: str, pos: int) -> Predicate:
    """``started<2h``: an age (now minus the time); ``started>2026-01-31``: an absolute time."""
    span = parse_span(raw)
    if span is not None:
        def by_age(row: RunRow, now: float, hay: Haystack) -> bool:
            moment = utc_to_epoch(field.get(row, now))
            return moment is not None and _compare(now - moment, op, span)

        return by_age
    try:
        limit = datetime.fromisoformat(raw).timestamp()  # typed in local time
    except ValueError:
        raise QueryError(f"{field.name} needs an age like 30m, 2h, 3d or a date like 2026-01-31,"
                         f" got {raw!r}", pos) from None

    def by_date(row: RunRow, now: float, hay: Haystack) -> bool:
        moment = utc_to_epoch(field.get(row, now))
        return moment is not None and _compare(moment, op, limit)

    return by_date


def _comparison(field: Field, op: str, raw: str, pos: int) -> Predicate:
    if field.kind == TIME and op not in ("~", "!~"):
        return _time_test(field, op, raw, pos)
    if field.kind == DURATION and op not in ("~", "!~"):
        seconds = parse_span(raw)
        if seconds is None:
            seconds = _number(raw)
        if seconds is None:
            raise QueryError(f"duration needs seconds or a span like 90s, 5m, 2h, got {raw!r}", pos)
        raw = repr(seconds)
    if field.name == "status" and op not in ("~", "!~"):
        test = _value_test(op, raw, pos)
        negated = op == "!="
        # A probably-dead run still matches its stored status (RUNNING) as well as DEAD.
        if negated:
            return lambda row, now, hay: test(row.display_status) and test(row.status)
        return lambda row, now, hay: test(row.display_status) or test(row.status)
    if field.kind == TAGS:
        return _tags_test(field, op, raw, pos)
    test = _value_test(op, raw, pos)
    get = field.get
    return lambda row, now, hay: test(get(row, now))


def _tags_test(field: Field, op: str, raw: str, pos: int) -> Predicate:
    """``tag=baseline``: some tag equals it; ``tag!=baseline`` and ``tag!~x``: no tag does."""
    negated = op in ("!=", "!~")
    test = _value_test({"!=": "=", "!~": "~"}.get(op, op), raw, pos)
    get = field.get
    if negated:
        return lambda row, now, hay: not any(test(tag) for tag in get(row, now))
    return lambda row, now, hay: any(test(tag) for tag in get(row, now))


class _Parser:
    def __init__(self, text: str, known_metrics: Collection[str] | None = None,
                 known_config: Collection[str] | None = None) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.known_metrics = known_metrics
        self.known_config = known_config
        self.words: list[str] = []
        """The bare words met (searches of the visible cells), lower-cased."""
        self.only_words = True
        """Whether the query is nothing but words, all of which must be found."""

    @staticmethod
    def _refuse(problem: str | None, pos: int) -> None:
        if problem is not None:
            raise QueryError(problem, pos)

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        token = self.peek()
        if token is not None:
            raise QueryError(f"unexpected {token.text!r}", token.pos)
        return predicate

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.only_words = False
            self.take()
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda row, now, hay: any(part(row, now, hay) for part in parts)

    def and_expr(self) -> Predicate:
        parts = [self.not_expr()]
        while (token := self.peek()) is not None and token.kind not in ("or", "rp"):
            if token.kind == "and":
                self.take()
            parts.append(self.not_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda row, now, hay: all(part(row, now, hay) for part in parts)

    def not_expr(self) -> Predicate:
        token = self.peek()
        if token is None:
            raise QueryError("expected a condition or a word", len(self.text))
        if token.kind in ("not", "lp"):
            self.only_words = False
        if token.kind == "not":
            self.take()
            inner = self.not_expr()
            return lambda row, now, hay: not inner(row, now, hay)
        if token.kind == "lp":
            self.take()
            inner = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != "rp":
                at = closing.pos if closing is not None else len(self.text)
                raise QueryError("expected ')' to close '('", at if closing else token.pos)
            self.take()
            return inner
        if token.kind in ("word", "str"):
            return self.term()
        raise QueryError(f"unexpected {token.text!r}", token.pos)

    def term(self) -> Predicate:
        token = self.take()
        following = self.peek()
        if following is None or following.kind != "op":
            needle = token.text.casefold()
            self.words.append(needle)
            return lambda row, now, hay: needle in hay(row)
        op = self.take()
        self.only_words = False
        if token.kind == "str":
            raise QueryError("a field name cannot be quoted", token.pos)
        field = resolve_field(token.text)
        if field is None:
            names = ", ".join(FIELD_NAMES)
            raise QueryError(f"unknown field {token.text!r}; use one of {names}, config.KEY, "
                             "result.KEY or metric.NAME.last|min|max", token.pos)
        if field.name.startswith("metric.") and self.known_metrics is not None:
            self._refuse(metric_problem(field.name[len("metric."):], self.known_metrics), token.pos)
        if field.name.startswith("config.") and self.known_config is not None:
            self._refuse(config_problem(field.name[len("config."):], self.known_config), token.pos)
        value = self.peek()
        if value is None or value.kind not in ("word", "str", "and", "or", "not"):
            at = value.pos if value is not None else len(self.text)
            raise QueryError(f"expected a value after {op.text!r}", at)
        self.take()
        return _comparison(field, op.text, value.text, value.pos)


@dataclass(frozen=True)
class Query:
    """A parsed filter. ``matches(row, now, haystack)``; the empty query matches every row."""

    text: str
    predicate: Predicate | None
    words: bool = False
    """True when the query looks for words in the visible cells (it depends on the columns shown)."""
    needles: tuple[str, ...] = ()
    """When the query is only words: the lower-cased words a row's visible text must all contain."""

    def matches(self, row: RunRow, now: float, haystack: Haystack) -> bool:
        """Return True when ``row`` passes; ``haystack(row)`` gives lower-cased visible text."""
        return self.predicate is None or self.predicate(row, now, haystack)


def parse_query(text: str, known_metrics: Collection[str] | None = None,
                known_config: Collection[str] | None = None) -> Query:
    """Parse a filter text; raises :class:`QueryError` naming the problem and its position.

    With ``known_metrics`` (the names any run logged) or ``known_config`` (the flattened config
    keys of all runs), a field naming none of them is an error instead of a filter that matches
    nothing.
    """
    if not text.strip():
        return Query(text, None)
    parser = _Parser(text, known_metrics, known_config)
    predicate = parser.parse()
    return Query(text, predicate, bool(parser.words), tuple(parser.words) if parser.only_words else ())


def incomplete_comparison(text: str) -> str | None:
    """The field a filter ends with when it is probably half typed (``config.lr`` before ``>``).

    A bare word that names a field is more likely the start of a comparison than a word to look
    for; filtering by it while typing would empty the table for a moment.
    """
    try:
        tokens = tokenize(text)
    except QueryError:
        return None
    if not tokens or text[-1:].isspace():
        return None
    last = tokens[-1]
    if last.kind != "word" or (len(tokens) > 1 and tokens[-2].kind == "op"):
        return None
    field = resolve_field(last.text)
    if field is None or ("." not in last.text and last.text.lower() not in FIELD_NAMES):
        return None
    return last.text
