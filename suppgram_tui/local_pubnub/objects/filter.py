"""App Context list filters (`filter=` on get-all), parsed into a predicate over a record.

The console lists conversations by state (`custom.state == 'new'`), so the local server
needs the same small language PubNub evaluates (reference §10.1):

    expr  := and ("||" and)*          and := unary ("&&" unary)*
    unary := "!" unary | "(" expr ")" | path OP value
    OP    := == != < <= > >= LIKE     value := 'str' | "str" | number | true | false | null
    path  := name ("." name | "[" string "]")*      e.g. id, custom.state, custom["a b"]

`LIKE` takes `*` as a wildcard (`\\*` for a literal star) and ignores case [?]; ordering
operators compare numbers with numbers and strings with strings, anything else is false.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..wildcard import Wildcard

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<op>==|!=|<=|>=|<|>|&&|\|\||!|\(|\)|\[|\]|\.)
    | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_$][A-Za-z0-9_$-]*)
    )""", re.VERBOSE)
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">=", "LIKE"}
MAX_DEPTH = 64
"""Nested `!` and parentheses allowed; deeper is a 400, not a RecursionError."""
_MISSING = object()


class FilterError(ValueError):
    """The expression is not in the filter language; the message says where."""


def compile_filter(text: str) -> Predicate:
    """A predicate for `text`; raises `FilterError` on a malformed expression."""
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    predicate = parser.expression()
    if parser.position != len(tokens):
        raise FilterError(f"unexpected {tokens[parser.position][1]!r}")
    return predicate


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FilterError(f"cannot read the expression at {text[position:position + 20]!r}")
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind or "")
        if kind == "str":
            tokens.append(("value", re.sub(r"\\(.)", r"\1", value[1:-1])))
        elif kind == "num":
            tokens.append(("value", float(value) if any(c in value for c in ".eE") else int(value)))
        elif kind == "word" and value in ("true", "false", "null"):
            tokens.append(("value", {"true": True, "false": False, "null": None}[value]))
        elif kind == "word" and value.upper() == "LIKE":
            tokens.append(("op", "LIKE"))
        else:
            tokens.append(("op" if kind == "op" else "name", value))
    if not tokens:
        raise FilterError("the expression is empty")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def _peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, kind: str, value: Any = None) -> Any:
        token = self._peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            found = "the end" if token is None else repr(token[1])
            raise FilterError(f"expected {value or kind}, found {found}")
        self.position += 1
        return token[1]

    def _at(self, value: str) -> bool:
        token = self._peek()
        return token is not None and token[0] == "op" and token[1] == value

    def expression(self) -> Predicate:
        parts = [self._conjunction()]
        while self._at("||"):
            self.position += 1
            parts.append(self._conjunction())
        return parts[0] if len(parts) == 1 else lambda r: any(p(r) for p in parts)

    def _conjunction(self) -> Predicate:
        parts = [self._unary()]
        while self._at("&&"):
            self.position += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else lambda r: all(p(r) for p in parts)

    def _unary(self) -> Predicate:
        if not self._at("!") and not self._at("("):
            return self._comparison()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError(f"nested more than {MAX_DEPTH} levels deep")
        try:
            if self._at("!"):
                self.position += 1
                negated = self._unary()
                return lambda r: not negated(r)
            self.position += 1
            inner = self.expression()
            self._take("op", ")")
            return inner
        finally:
            self.depth -= 1

    def _comparison(self) -> Predicate:
        path = [self._take("name")]
        while self._at(".") or self._at("["):
            if self._take("op") == ".":
                path.append(self._take("name"))
            else:
                path.append(self._take("value"))
                self._take("op", "]")
        operator = self._take("op")
        if operator not in _COMPARISONS:
            raise FilterError(f"expected a comparison after {'.'.join(map(str, path))}")
        value = self._take("value")
        return _comparator(path, operator, value)


def _comparator(path: list[Any], operator: str, expected: Any) -> Predicate:
    if operator == "LIKE":
        if not isinstance(expected, str):
            raise FilterError("LIKE needs a string pattern")
        pattern = _wildcard(expected)
        return lambda r: isinstance(v := _lookup(r, path), str) and pattern.matches(v)
    if operator in ("==", "!="):
        def equal(record: Record) -> bool:
            actual = _lookup(record, path)
            same = (expected is None) if actual is _MISSING else _same(actual, expected)
            return same if operator == "==" else not same
        return equal
    compare = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
               ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}[operator]

    def ordered(record: Record) -> bool:
        actual = _lookup(record, path)
        if _is_number(actual) and _is_number(expected):
            return compare(actual, expected)
        return isinstance(actual, str) and isinstance(expected, str) and compare(actual, expected)
    return ordered


def _wildcard(pattern: str) -> Wildcard:
    """`*` a wildcard, `\\*` a literal star; matched in linear time (see `wildcard`)."""
    pieces = [""]
    for part in re.split(r"(\\\*|\*)", pattern):
        if part == "*":
            pieces.append("")
        else:
            pieces[-1] += "*" if part == "\\*" else part
    return Wildcard(pieces)


def _lookup(record: Record, path: list[Any]) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(actual: Any, expected: Any) -> bool:
    if _is_number(actual) and _is_number(expected):
        return actual == expected
    return type(actual) is type(expected) and actual == expected
