"""A parser for the subset of GAQL (Google Ads Query Language) the emulator serves.

Grammar (keywords case-insensitive)::

    query     := SELECT field ("," field)* FROM resource
                 [WHERE condition (AND condition)*]
                 [ORDER BY field [ASC|DESC] ("," field [ASC|DESC])*]
                 [LIMIT positive_int]
    condition := field (= | != | < | <= | > | >=) value
               | field BETWEEN value AND value
               | field IN "(" value ("," value)* ")"
    value     := 'string' | "string" | number | ENUM_CONSTANT | TRUE | FALSE
    field     := name ("." name)+          e.g. metrics.cost_micros, ad_group_ad.ad.id

Anything else is rejected with a ``queryError`` (``INVALID_ARGUMENT``), as Google does.
Which fields exist on which resource is checked by the emulator's catalogue
(:mod:`emulators.google_ads.resources`), not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulators.google_ads.errors import AdsError, query_error

Value = str | int | float | bool

OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'[^'\n]*'|"[^"\n]*")
      | (?P<open_string>['"])
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<field>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<punct>[,()])
    )""",
    re.VERBOSE,
)
_FIELD = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")
KEYWORDS = frozenset(
    {"SELECT", "FROM", "WHERE", "AND", "ORDER", "BY", "ASC", "DESC", "LIMIT", "BETWEEN", "IN"}
)


@dataclass(frozen=True)
class Condition:
    """``field op value``; ``BETWEEN`` and ``IN`` carry a tuple of values."""

    field: str
    op: str  # one of OPERATORS, "BETWEEN" or "IN"
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Query:
    """A parsed query."""

    fields: tuple[str, ...]
    resource: str
    where: tuple[Condition, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    limit: int | None = None


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


def tokenize(text: str) -> list[_Tok]:
    """Split a query into tokens; an unterminated string or a stray symbol is an error."""
    tokens: list[_Tok] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            shown = text[pos : pos + 10]
            raise query_error("BAD_SYMBOL", f"Error in query: unexpected input {shown!r}.")
        kind = found.lastgroup or ""
        if kind == "open_string":
            raise query_error("STRING_NOT_TERMINATED", "Error in query: unterminated string.")
        tokens.append(_Tok(kind, found.group(kind)))
        pos = found.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self, expected: str) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise query_error("UNEXPECTED_END_OF_QUERY", f"Error in query: expected {expected}.")
        self.pos += 1
        return tok

    def keyword(self, word: str, code: str) -> None:
        tok = self.peek()
        if tok is None or tok.kind != "word" or tok.text.upper() != word:
            raise query_error(code, f"Error in query: expected {word}.")
        self.pos += 1

    def at_keyword(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "word" and tok.text.upper() == word

    def field(self, clause: str) -> str:
        tok = self.next(f"a field in {clause}")
        if tok.kind != "field" or not _FIELD.match(tok.text):
            raise query_error(
                "UNRECOGNIZED_FIELD" if tok.kind in ("field", "word") else "UNEXPECTED_INPUT",
                f"Error in query: unrecognized field in {clause}: {tok.text!r}.",
            )
        return tok.text

    def value(self) -> Value:
        tok = self.next("a value")
        if tok.kind == "string":
            return tok.text[1:-1]
        if tok.kind == "number":
            return float(tok.text) if "." in tok.text else int(tok.text)
        if tok.kind == "word" and tok.text.upper() not in KEYWORDS:
            if tok.text.upper() in ("TRUE", "FALSE"):
                return tok.text.upper() == "TRUE"
            return tok.text  # an enum constant
        raise query_error("BAD_VALUE", f"Error in query: invalid value {tok.text!r}.")

    def condition(self) -> Condition:
        name = self.field("the WHERE clause")
        tok = self.next("an operator")
        if tok.kind == "op":
            return Condition(name, tok.text, (self.value(),))
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "BETWEEN":
            low = self.value()
            self.keyword("AND", "EXPECTED_AND")
            return Condition(name, "BETWEEN", (low, self.value()))
        if word == "IN":
            opened = self.next("(")
            if opened.text != "(":
                raise query_error("EXPECTED_LIST", "Error in query: IN expects a list.")
            values = [self.value()]
            while (sep := self.next(") or ,")).text == ",":
                values.append(self.value())
            if sep.text != ")":
                raise query_error("EXPECTED_LIST", "Error in query: unterminated list.")
            return Condition(name, "IN", tuple(values))
        raise query_error("BAD_OPERATOR", f"Error in query: invalid operator {tok.text!r}.")

    def parse(self) -> Query:
        self.keyword("SELECT", "EXPECTED_SELECT")
        fields = [self.field("the SELECT clause")]
        while (tok := self.peek()) is not None and tok.text == ",":
            self.pos += 1
            fields.append(self.field("the SELECT clause"))
        self.keyword("FROM", "EXPECTED_FROM")
        resource_tok = self.next("a resource")
        if resource_tok.kind != "word" or resource_tok.text.upper() in KEYWORDS:
            raise query_error(
                "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE",
                f"Error in query: invalid resource in FROM clause: {resource_tok.text!r}.",
            )
        where: list[Condition] = []
        if self.at_keyword("WHERE"):
            self.pos += 1
            where.append(self.condition())
            while self.at_keyword("AND"):
                self.pos += 1
                where.append(self.condition())
        order: list[tuple[str, bool]] = []
        if self.at_keyword("ORDER"):
            self.pos += 1
            self.keyword("BY", "EXPECTED_BY")
            while True:
                name = self.field("the ORDER BY clause")
                descending = False
                if self.at_keyword("ASC") or self.at_keyword("DESC"):
                    descending = self.next("ASC or DESC").text.upper() == "DESC"
                order.append((name, descending))
                if (tok := self.peek()) is not None and tok.text == ",":
                    self.pos += 1
                    continue
                break
        limit: int | None = None
        if self.at_keyword("LIMIT"):
            self.pos += 1
            tok = self.next("a limit")
            if tok.kind != "number" or "." in tok.text:
                raise query_error("BAD_LIMIT_VALUE", f"Error in query: bad LIMIT {tok.text!r}.")
            limit = int(tok.text)
            if limit < 1:
                raise query_error("LIMIT_VALUE_TOO_LOW", "Error in query: LIMIT must be > 0.")
        if self.peek() is not None:
            raise query_error(
                "UNEXPECTED_INPUT", f"Error in query: unexpected input {self.peek().text!r}."  # type: ignore[union-attr]
            )
        return Query(tuple(fields), resource_tok.text, tuple(where), tuple(order), limit)


def parse(text: object) -> Query:
    """Parse a GAQL query.

    Args:
        text: the ``query`` of a search request.

    Returns:
        The parsed query.

    Raises:
        AdsError: a ``queryError`` for anything outside the grammar above.

    """
    if not isinstance(text, str) or not text.strip():
        raise query_error("EXPECTED_SELECT", "Error in query: the query is empty.")
    return _Parser(tokenize(text)).parse()


__all__ = ["AdsError", "Condition", "Query", "Value", "parse", "tokenize"]
