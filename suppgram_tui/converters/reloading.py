"""Ctrl+L: re-import the converter's module once and give every side that uses it (the
console's inbox, the simulator) a fresh instance, together, saying what was reloaded.

One reload for all: an instance left behind would run its old methods against the new
module's globals. A reload that fails (the file no longer imports, the class was
renamed, its constructor raises) puts the module's old globals back and changes
nobody's converter, so what runs stays consistent. Other modules the converter imports
(its helpers) are not reloaded; the report names them.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

from .base import ConverterLike, ConverterLoadError
from .chat_sdk import speaks_chat_sdk
from .guard import ConverterFailed, run_guarded
from .loading import (
    SUPPORT_USER_ATTRIBUTE,
    configure_converter,
    converter_class,
    drop_cached_bytecode,
)


class ConverterUser(Protocol):
    """A side that runs a converter and can be handed a new one."""

    converter_role: str
    """Who it is, for the report: "the console", "the simulator"."""

    @property
    def converter(self) -> ConverterLike: ...

    def use_converter(self, converter: ConverterLike) -> object:
        """Take `converter`; may return how many messages it could read now that the
        old one could not."""


@dataclass(frozen=True)
class ReloadReport:
    """What a reload did, as one toast's words; `ok` False when nothing changed."""

    ok: bool
    text: str


def reload_for(users: Sequence[ConverterUser]) -> ReloadReport:
    """Reload the converter the first of `users` runs, and hand each a fresh instance."""
    if not users:
        return ReloadReport(False, "No converter is running yet: nothing to reload.")
    old = users[0].converter
    cls = type(old)
    path = f"{cls.__module__}.{cls.__name__}"
    who = _and([user.converter_role for user in users])
    if cls.__module__.startswith("suppgram_tui."):
        fresh = _instances(cls, users, old)
        _hand_out(users, fresh)
        return ReloadReport(True, f"{path} is suppgram-tui's own converter: nothing to "
                                  f"re-import; {who} got a fresh instance.")
    module = sys.modules.get(cls.__module__)
    if module is None:
        return ReloadReport(False, f"Cannot reload {path}: its module is not loaded.")
    before = dict(module.__dict__)
    try:
        new_cls = _reimport(module, cls, path, before)
        fresh = _instances(new_cls, users, old)
    except (ConverterLoadError, ConverterFailed) as failed:
        module.__dict__.clear()
        module.__dict__.update(before)  # the old instance keeps its own globals
        return ReloadReport(False, f"{str(failed).rstrip('.')}. Still running {path} as "
                                   "it was, for " + who + ".")
    mended = _hand_out(users, fresh)
    notes = [f"Reloaded {path} from {_file_name(module)} for {who}."]
    if mended:
        notes.append(f"{mended} message{'s' if mended != 1 else ''} that could not be "
                     f"read before {'are' if mended != 1 else 'is'} read now.")
    if helpers := _helpers(module):
        notes.append(f"Not reloaded: {helpers} (imported by it; restart to pick up "
                     "edits there).")
    if speaks_chat_sdk(fresh[0]) != speaks_chat_sdk(old):
        notes.append("Its chat_sdk setting changed: that takes a restart.")
    return ReloadReport(True, " ".join(notes))


def _reimport(module: ModuleType, cls: type, path: str, before: dict[str, object]) -> type:
    drop_cached_bytecode(module)
    importlib.invalidate_caches()
    try:
        module = run_guarded(f"re-importing {module.__name__}", importlib.reload, module,
                             home=_module_file(module))
    except ConverterFailed as failed:
        raise ConverterLoadError(f"Cannot reload {path}: {failed}") from None
    now = getattr(module, cls.__name__, None)
    if now is cls or not isinstance(now, type):  # reload keeps names it did not define
        others = [name for name, value in vars(module).items() if isinstance(value, type)
                  and value is not cls and value.__module__ == module.__name__
                  and _converts(value)]
        new = [name for name in others if before.get(name) is None]
        suggestion = (f": restart with --pubnub-message-converter "
                      f"{module.__name__}.{new[0]}" if len(new) == 1 else "")
        renamed = f" (renamed? it now has {_and(others)}{suggestion})" if others else ""
        raise ConverterLoadError(f"Cannot reload {path}: module {module.__name__!r} no "
                                 f"longer has a class {cls.__name__!r}{renamed}")
    return converter_class(module, cls.__name__, path)


def _instances(cls: type, users: Sequence[ConverterUser], old: ConverterLike
               ) -> list[ConverterLike]:
    """One fresh instance per user, each told the support user the old one was."""
    told = vars(old).get(SUPPORT_USER_ATTRIBUTE) if hasattr(old, "__dict__") else None
    made = []
    for _ in users:
        converter = run_guarded(f"creating {cls.__name__}()", cls,
                                home=_module_file(sys.modules.get(cls.__module__)))
        made.append(converter if told is None
                    else configure_converter(converter, support_user=told))
    return made


def _hand_out(users: Sequence[ConverterUser], fresh: Sequence[ConverterLike]) -> int:
    """How many messages the users could read now that they could not before."""
    mended = 0
    for user, converter in zip(users, fresh, strict=True):
        count = user.use_converter(converter)
        mended += count if isinstance(count, int) else 0
    return mended


def _converts(cls: type) -> bool:
    return all(callable(getattr(cls, name, None))
               for name in ("convert_from_pubnub", "convert_to_pubnub")) \
        and not inspect.isabstract(cls)


def _helpers(module: ModuleType) -> str:
    """The project's own modules the converter took names from ("module helpers
    (normalize, Money)"): not the standard library, installed packages or ours."""
    found: dict[str, list[str]] = {}
    for name, value in vars(module).items():
        source: ModuleType | None
        imported: str | None
        if isinstance(value, ModuleType):
            source, imported = value, None
        elif inspect.isfunction(value) or inspect.isclass(value):
            source, imported = sys.modules.get(value.__module__), name
        else:
            continue
        if source is None or source is module or not _project_module(source):
            continue
        names = found.setdefault(source.__name__, [])
        if imported is not None:
            names.append(imported)
    for source_name, imported in _imported_names(module):  # constants too: BAD = "€"
        source = sys.modules.get(source_name)
        if source is None or source is module or not _project_module(source):
            continue
        names = found.setdefault(source_name, [])
        if imported not in names:
            names.append(imported)
    return _and([f"module {name}" + (f" ({', '.join(names)})" if names else "")
                 for name, names in sorted(found.items())])


def _imported_names(module: ModuleType) -> list[tuple[str, str]]:
    """(module, name) for each ``from module import name`` in the converter's source:
    what a value alone does not tell (a string, a number taken from a helper)."""
    path = getattr(module, "__file__", None)
    try:
        tree = ast.parse(open(path, encoding="utf-8").read()) if isinstance(path, str) \
            else None
    except (OSError, SyntaxError, ValueError):
        return []
    if tree is None:
        return []
    package = module.__package__ or ""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        try:
            source = importlib.util.resolve_name("." * node.level + (node.module or ""),
                                                 package) if node.level else node.module
        except (ImportError, ValueError):
            continue
        if source is None:
            continue
        for alias in node.names:
            if alias.name != "*" and f"{source}.{alias.name}" not in sys.modules:
                found.append((source, alias.asname or alias.name))
    return found


def _project_module(module: ModuleType) -> bool:
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or module.__name__.split(".")[0] in ("suppgram_tui",
                                                                      "suppgram"):
        return False
    path = os.path.abspath(path)
    installed = {os.path.abspath(sysconfig.get_paths()[key])
                 for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return not any(path.startswith(prefix + os.sep) for prefix in installed)


def _module_file(module: ModuleType | None) -> frozenset[str]:
    path = getattr(module, "__file__", None)
    return frozenset({os.path.abspath(path)}) if isinstance(path, str) else frozenset()


def _file_name(module: ModuleType) -> str:
    path = getattr(module, "__file__", None)
    return os.path.basename(path) if isinstance(path, str) else module.__name__


def _and(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]

