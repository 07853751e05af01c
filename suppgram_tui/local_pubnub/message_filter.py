"""Subscribe filter expressions (`filter-expr`, reference §4.6).

The JS SDK sends the client's `filterExpression` on every subscribe poll (the Python
SDK's default manager never does, reference §12.1 item 3). A message is delivered to that
poll only when the expression holds for it; the ones it rejects still advance the cursor.

The language, as PubNub documents it: `meta.<field>` and `data.<field>` (the payload),
nested with `.name` or `["name"]` / `[0]`; a bare name such as `uuid` is a meta field
(the older style); string literals in `'…'` or `"…"`, numbers, `true`, `false`, `null`;
`== != > < >= <=`, `LIKE` (`*` wildcards, case-insensitive) and `CONTAINS` (substring
or list member); `%` (sampling, `meta.n % 10 == 0`); `&& || !` and parentheses.
Where PubNub's exact behaviour is not documented this module chooses [?]: a missing
field is unequal to everything (so `!=` holds) and fails every other comparison; ordering
compares numbers (numeric strings count) only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from .wildcard import like

MAX_EXPRESSION_CHARS = 2048
MAX_DEPTH = 64
"""Nested `!` and parentheses allowed; deeper is a 400, not a RecursionError."""


class FilterSyntaxError(ValueError):
    """The expression cannot be parsed."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<op>==|!=|>=|<=|&&|\|\||[<>!()\[\].%])
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
""", re.VERBOSE)

_KEYWORD_OPS = {"like": "LIKE", "contains": "CONTAINS"}
_CONSTANTS = {"true": True, "false": False, "null": None}
_COMPARISONS = {"==", "!=", ">", "<", ">=", "<=", "LIKE", "CONTAINS"}

# A compiled expression: (meta, payload) -> value
Node = Callable[[Any, Any], Any]


def _tokens(text: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise FilterSyntaxError(f"unexpected character at {position}: {text[position]!r}")
        position = match.end()
        kind = match.lastgroup
        value = match.group()
        if kind == "space":
            continue
        if kind == "string":
            found.append(("value", re.sub(r"\\(.)", r"\1", value[1:-1])))
        elif kind == "number":
            found.append(("value", int(value) if re.fullmatch(r"-?\d+", value)
                          else float(value)))
        elif kind == "name" and value.lower() in _KEYWORD_OPS:
            found.append(("op", _KEYWORD_OPS[value.lower()]))
        elif kind == "name" and value.lower() in _CONSTANTS:
            found.append(("value", _CONSTANTS[value.lower()]))
        else:
            found.append((kind or "op", value))
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterSyntaxError(f"nested more than {MAX_DEPTH} levels deep")

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, op: str | None = None) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError("unexpected end of expression")
        if op is not None and token != ("op", op):
            raise FilterSyntaxError(f"expected {op!r}, found {token[1]!r}")
        self.index += 1
        return token

    def at(self, op: str) -> bool:
        return self.peek() == ("op", op)

    def parse(self) -> Node:
        node = self.disjunction()
        if self.peek() is not None:
            raise FilterSyntaxError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def disjunction(self) -> Node:
        parts = [self.conjunction()]
        while self.at("||"):
            self.take()
            parts.append(self.conjunction())
        if len(parts) == 1:
            return parts[0]
        return lambda meta, data: any(_truthy(part(meta, data)) for part in parts)

    def conjunction(self) -> Node:
        parts = [self.negation()]
        while self.at("&&"):
            self.take()
            parts.append(self.negation())
        if len(parts) == 1:
            return parts[0]
        return lambda meta, data: all(_truthy(part(meta, data)) for part in parts)

    def negation(self) -> Node:
        if self.at("!"):
            self.take()
            self.deeper()
            inner = self.negation()
            self.depth -= 1
            return lambda meta, data: not _truthy(inner(meta, data))
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        token = self.peek()
        if token is None or token[0] != "op" or token[1] not in _COMPARISONS:
            return left
        self.take()
        right = self.operand()
        compare = _COMPARE[token[1]]
        return lambda meta, data: compare(left(meta, data), right(meta, data))

    def operand(self) -> Node:
        node = self.term()
        while self.at("%"):
            self.take()
            left, right = node, self.term()
            node = _modulo(left, right)
        return node

    def term(self) -> Node:
        kind, value = self.take()
        if kind == "value":
            constant = value
            return lambda meta, data: constant
        if (kind, value) == ("op", "("):
            self.deeper()
            inner = self.disjunction()
            self.take(")")
            self.depth -= 1
            return inner
        if kind != "name":
            raise FilterSyntaxError(f"unexpected {value!r}")
        path: list[Any] = []
        source = value if value in ("meta", "data") else "meta"
        if source == "meta" and value != "meta":
            path.append(value)
        while self.at(".") or self.at("["):
            if self.take()[1] == ".":
                name_kind, name = self.take()
                if name_kind != "name":
                    raise FilterSyntaxError(f"expected a field name, found {name!r}")
                path.append(name)
            else:
                key_kind, key = self.take()
                if key_kind != "value" or not isinstance(key, (str, int)):
                    raise FilterSyntaxError(f"expected a key, found {key!r}")
                path.append(key)
                self.take("]")
        if not path:
            raise FilterSyntaxError(f"{value!r} needs a field name")
        use_data = source == "data"
        return lambda meta, data: _lookup(data if use_data else meta, path)


def _lookup(root: Any, path: list[Any]) -> Any:
    value = root
    for key in path:
        if isinstance(value, dict) and isinstance(key, str) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            return MISSING
    return value


def _truthy(value: Any) -> bool:
    return value is not MISSING and bool(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is MISSING or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _modulo(left: Node, right: Node) -> Node:
    def evaluate(meta: Any, data: Any) -> Any:
        a, b = _number(left(meta, data)), _number(right(meta, data))
        if a is None or b is None or b == 0:
            return MISSING
        return a % b
    return evaluate


def _equal(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        x, y = _number(a), _number(b)
        return x is not None and x == y
    return bool(a == b)


def _ordered(test: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        x, y = _number(a), _number(b)
        return x is not None and y is not None and test(x, y)
    return compare


def _like(value: Any, pattern: Any) -> bool:
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    return like(pattern).matches(value)  # linear time: no regex backtracking


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str) and isinstance(item, str):
        return item in container
    if isinstance(container, list):
        return any(_equal(element, item) for element in container)
    return False


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    ">": _ordered(lambda x, y: x > y),
    "<": _ordered(lambda x, y: x < y),
    ">=": _ordered(lambda x, y: x >= y),
    "<=": _ordered(lambda x, y: x <= y),
    "LIKE": _like,
    "CONTAINS": _contains,
}


class MessageFilter:
    """A compiled `filter-expr`; `accepts(meta, payload)` decides one message."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_EXPRESSION_CHARS:
            raise FilterSyntaxError("expression too long")
        self.text = text
        self._node = _Parser(text).parse()

    def accepts(self, meta: Any, payload: Any) -> bool:
        return _truthy(self._node(meta if isinstance(meta, dict) else {}, payload))


def compile_filter(text: str | None) -> MessageFilter | None:
    """None when there is no expression (deliver everything)."""
    if text is None or not text.strip():
        return None
    return MessageFilter(text)
