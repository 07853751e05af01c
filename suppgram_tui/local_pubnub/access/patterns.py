"""Pattern grants matched in time linear in the name, whatever the pattern.

A token's patterns are regular expressions an admin granted, but the names matched
against them come from clients, and `re.fullmatch(r"(\\w+)+-support", "a" * 30)`
backtracks for minutes on the server's one event loop. So a pattern is read by
Python's own regex parser (same syntax, same errors) and run as a Thompson automaton
whose states are built lazily and cached, as RE2 does: each character of the name costs
a dictionary look-up once the states it visits are known, and at worst one pass over
the pattern. What an automaton cannot run (backreferences, lookaround, conditionals,
possessive and atomic groups) and patterns that compile to more than `MAX_PROGRAM`
steps are refused when the grant is made (`PatternError`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

try:  # Python 3.11+
    from re import _constants as sre  # type: ignore[attr-defined, unused-ignore]
    from re import _parser as sre_parse  # type: ignore[attr-defined, unused-ignore]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as sre  # type: ignore[no-redef, unused-ignore]
    import sre_parse  # type: ignore[no-redef, unused-ignore]

MAX_PROGRAM = 2_000
"""Automaton steps a pattern may compile to (`a{5000}` is refused, not expanded)."""
MAX_CACHED_STATES = 4_096
"""Cached transitions per pattern before the cache starts again (memory stays bounded)."""

CharTest = Callable[[str], bool]
Context = tuple[bool, ...]
"""At one position: start, end, before a final newline, after/before a newline, and
whether the characters before and after are word characters (Unicode, then ASCII)."""
_CHAR, _SPLIT, _JUMP, _ASSERT, _MATCH = range(5)
_UNSUPPORTED = {getattr(sre, name) for name in (
    "GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT", "ATOMIC_GROUP",
    "POSSESSIVE_REPEAT", "GROUPREF_IGNORE") if hasattr(sre, name)}


class PatternError(ValueError):
    """The pattern is not a regular expression this matcher can run in linear time."""


def matches(pattern: str, name: str) -> bool:
    """Whether `pattern` matches the whole of `name` (`re.fullmatch` semantics)."""
    try:
        return compile_pattern(pattern).fullmatch(name)
    except PatternError:
        return False


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Automaton:
    """Parse and compile once; raises `PatternError` (with `re`'s message if it is not
    a regular expression at all)."""
    try:
        parsed = sre_parse.parse(pattern, 0)
    except (sre.error, RecursionError, OverflowError) as error:
        raise PatternError(f"invalid regular expression: {error}") from None
    compiler = _Compiler()
    compiler.sequence(parsed, parsed.state.flags)
    compiler.emit((_MATCH,))
    return Automaton(compiler.program)


class Automaton:
    """A compiled pattern: a Thompson program and the lazily built states of its DFA."""

    def __init__(self, program: list[tuple[Any, ...]]) -> None:
        self._program = program
        self._asserts = any(step[0] == _ASSERT for step in program)
        self._closures: dict[tuple[frozenset[int], Context | None],
                             tuple[frozenset[int], bool]] = {}
        self._steps: dict[tuple[frozenset[int], str], frozenset[int]] = {}

    def fullmatch(self, text: str) -> bool:
        if len(self._closures) + len(self._steps) > MAX_CACHED_STATES:
            self._closures.clear()
            self._steps.clear()
        threads = frozenset({0})
        for position, char in enumerate(text):
            waiting, _ = self._closure(threads, self._context(text, position))
            if not waiting:
                return False
            key = (waiting, char)
            found = self._steps.get(key)
            if found is None:
                found = self._steps[key] = frozenset(
                    pc + 1 for pc in waiting if self._program[pc][1](char))
            threads = found
        return self._closure(threads, self._context(text, len(text)))[1]

    def _context(self, text: str, at: int) -> Context | None:
        if not self._asserts:
            return None
        before = text[at - 1] if at > 0 else ""
        after = text[at] if at < len(text) else ""
        return (at == 0, at == len(text), at == len(text) - 1 and after == "\n",
                before == "\n", after == "\n", _word(before, False), _word(after, False),
                _word(before, True), _word(after, True), not text)

    def _closure(self, threads: frozenset[int],
                 context: Context | None) -> tuple[frozenset[int], bool]:
        """The character steps reachable without consuming, and whether MATCH is."""
        key = (threads, context)
        found = self._closures.get(key)
        if found is not None:
            return found
        waiting: set[int] = set()
        matched = False
        seen: set[int] = set()
        stack = list(threads)
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            step = self._program[pc]
            kind = step[0]
            if kind == _CHAR:
                waiting.add(pc)
            elif kind == _SPLIT:
                stack.extend((step[2], step[1]))
            elif kind == _JUMP:
                stack.append(step[1])
            elif kind == _ASSERT:
                if context is not None and step[1](context):
                    stack.append(pc + 1)
            else:
                matched = True
        found = self._closures[key] = (frozenset(waiting), matched)
        return found


class _Compiler:
    """Python's parse tree → a list of steps (char test, split, jump, assert, match)."""

    def __init__(self) -> None:
        self.program: list[Any] = []

    def emit(self, step: tuple[Any, ...]) -> int:
        if len(self.program) >= MAX_PROGRAM:
            raise PatternError(f"pattern too complex (over {MAX_PROGRAM} steps)")
        self.program.append(step)
        return len(self.program) - 1

    def patch(self, at: int, *step: Any) -> None:
        self.program[at] = step

    def sequence(self, items: Any, flags: int) -> None:
        for op, av in items:
            self.item(op, av, flags)

    def item(self, op: Any, av: Any, flags: int) -> None:
        if op in _UNSUPPORTED:
            raise PatternError(f"{str(op).lower()} is not allowed in a pattern grant")
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
            self.emit((_CHAR, _char_test(op, av, flags)))
        elif op is sre.AT:
            self.emit((_ASSERT, _assertion(av, flags)))
        elif op is sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            self.sequence(sub, (flags | add_flags) & ~del_flags)
        elif op is sre.BRANCH:
            self.branch(av[1], flags)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, repeated = av
            self.repeat(low, high, repeated, flags)
        else:
            raise PatternError(f"{str(op).lower()} is not allowed in a pattern grant")

    def branch(self, alternatives: list[Any], flags: int) -> None:
        ends = []
        for index, alternative in enumerate(alternatives):
            if index == len(alternatives) - 1:
                self.sequence(alternative, flags)
                break
            split = self.emit((_SPLIT, 0, 0))
            self.sequence(alternative, flags)
            ends.append(self.emit((_JUMP, 0)))
            self.patch(split, _SPLIT, split + 1, len(self.program))
        for jump in ends:
            self.patch(jump, _JUMP, len(self.program))

    def repeat(self, low: int, high: int, item: Any, flags: int) -> None:
        for _ in range(low):
            self.sequence(item, flags)
        if high == sre.MAXREPEAT:
            loop = self.emit((_SPLIT, 0, 0))
            self.sequence(item, flags)
            self.emit((_JUMP, loop))
            self.patch(loop, _SPLIT, loop + 1, len(self.program))
            return
        optional = []
        for _ in range(high - low):
            optional.append(self.emit((_SPLIT, 0, 0)))
            self.sequence(item, flags)
        for split in optional:
            self.patch(split, _SPLIT, split + 1, len(self.program))


def _word(char: str, ascii_only: bool) -> bool:
    if not char or (ascii_only and not char.isascii()):
        return False
    return char.isalnum() or char == "_"


def _char_test(op: Any, av: Any, flags: int) -> CharTest:
    fold = bool(flags & sre.SRE_FLAG_IGNORECASE)
    if op is sre.ANY:
        if flags & sre.SRE_FLAG_DOTALL:
            return lambda char: True
        return lambda char: char != "\n"
    if op in (sre.LITERAL, sre.NOT_LITERAL):
        test = _literal(chr(av), fold)
        return test if op is sre.LITERAL else (lambda char: not test(char))
    negate = bool(av) and av[0][0] is sre.NEGATE
    tests = [_set_member(kind, value, flags) for kind, value in av
             if kind is not sre.NEGATE]

    def in_set(char: str) -> bool:
        forms = [char]
        if fold:  # a case form may be longer than one character ("İ".lower())
            forms += [form for form in (char.lower(), char.upper()) if len(form) == 1]
        return any(test(form) for form in forms for test in tests) != negate
    return in_set


def _literal(expected: str, fold: bool) -> CharTest:
    if not fold:
        return lambda char: char == expected
    lower, upper = expected.lower(), expected.upper()
    return lambda char: char == expected or char.lower() == lower or char.upper() == upper


def _set_member(kind: Any, value: Any, flags: int) -> CharTest:
    if kind is sre.LITERAL:
        expected = chr(value)
        return lambda char: char == expected
    if kind is sre.RANGE:
        low, high = value
        return lambda char: low <= ord(char) <= high
    if kind is sre.CATEGORY:
        return _category(value, bool(flags & sre.SRE_FLAG_ASCII))
    raise PatternError(f"{str(kind).lower()} is not allowed in a pattern grant")


def _category(code: Any, ascii_only: bool) -> CharTest:
    def digit(char: str) -> bool:
        return "0" <= char <= "9" if ascii_only else char.isdecimal()

    def space(char: str) -> bool:
        return char in " \t\n\r\f\v" if ascii_only else char.isspace()

    def word(char: str) -> bool:
        return _word(char, ascii_only)

    tests: dict[Any, CharTest] = {
        sre.CATEGORY_DIGIT: digit, sre.CATEGORY_SPACE: space, sre.CATEGORY_WORD: word,
        sre.CATEGORY_NOT_DIGIT: lambda char: not digit(char),
        sre.CATEGORY_NOT_SPACE: lambda char: not space(char),
        sre.CATEGORY_NOT_WORD: lambda char: not word(char),
    }
    if code not in tests:
        raise PatternError(f"{str(code).lower()} is not allowed in a pattern grant")
    return tests[code]


def _assertion(code: Any, flags: int) -> Callable[[Context], bool]:
    """A zero-width test on the `Context` of a position (see `Automaton._context`)."""
    multiline = bool(flags & sre.SRE_FLAG_MULTILINE)
    offset = 7 if flags & sre.SRE_FLAG_ASCII else 5  # where word-ness is kept
    if code is sre.AT_BEGINNING and multiline:
        return lambda c: c[0] or c[3]
    if code in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING):
        return lambda c: c[0]
    if code is sre.AT_END and multiline:
        return lambda c: c[1] or c[4]
    if code is sre.AT_END:
        return lambda c: c[1] or c[2]
    if code is sre.AT_END_STRING:
        return lambda c: c[1]
    if code is sre.AT_BOUNDARY:
        return lambda c: not c[9] and c[offset] != c[offset + 1]
    if code is sre.AT_NON_BOUNDARY:
        return lambda c: not c[9] and c[offset] == c[offset + 1]
    raise PatternError(f"{str(code).lower()} is not allowed in a pattern grant")
