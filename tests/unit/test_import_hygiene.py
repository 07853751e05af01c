"""The layers hold: what each module loads, checked in a fresh interpreter.

A subprocess per case, because this test run has long since imported everything.
The UI's own rule (it talks to the inbox, never to `link` or `store`) is checked on
its source, since the inbox it imports legitimately loads both.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import suppgram_tui

PACKAGE = Path(suppgram_tui.__file__).parent

HEADLESS = [
    "suppgram_tui.model",
    "suppgram_tui.text",
    "suppgram_tui.timetokens",
    "suppgram_tui.paths",
    "suppgram_tui.converters",
    "suppgram_tui.converters.checking",
    "suppgram_tui.store",
    "suppgram_tui.inbox",
    "suppgram_tui.inbox.stats",
    "suppgram_tui.settings",
]
"""Modules with no terminal: they must run under a test, a bench or a CI job."""

NO_PUBNUB = [m for m in HEADLESS if m not in ("suppgram_tui.inbox", "suppgram_tui.settings")]
"""The inbox and settings import `link`'s plain types (events, errors, LinkSettings), whose
package is allowed the SDK; everything else under them must not need it."""


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    return set(json.loads(result.stdout))


def top_level(modules: set[str], name: str) -> list[str]:
    return sorted(m for m in modules if m == name or m.startswith(name + "."))


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_modules_load_no_textual(module: str) -> None:
    assert top_level(loaded_after_import(module), "textual") == []


@pytest.mark.parametrize("module", NO_PUBNUB)
def test_foundations_load_no_pubnub(module: str) -> None:
    assert top_level(loaded_after_import(module), "pubnub") == []


def test_local_pubnub_imports_nothing_of_the_client_side() -> None:
    loaded = loaded_after_import("suppgram_tui.local_pubnub")
    client_side = [m for m in loaded if m.startswith("suppgram_tui.")
                   and not m.startswith("suppgram_tui.local_pubnub")]
    assert client_side == []
    assert top_level(loaded, "pubnub") == [] and top_level(loaded, "textual") == []


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])


def imported_names(source: str, package: str) -> set[str]:
    """Absolute module names a source file in `package` imports (relative ones resolved)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


UI_FILES = sorted((PACKAGE / "ui").rglob("*.py"))


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_ui_talks_to_the_inbox_not_to_link_or_store(path: Path) -> None:
    forbidden = [name for name in imported_names(path.read_text(), package_of(path))
                 if name.split(".")[:2] in (["suppgram_tui", "link"], ["suppgram_tui", "store"])
                 and name not in ALLOWED_UI_IMPORTS.get(path.name, ())]
    assert forbidden == [], f"{path.name} imports {forbidden}"


ALLOWED_UI_IMPORTS: dict[str, tuple[str, ...]] = {
    # the simulator's customers are PubNub clients of their own: the screen passes on
    # the connection settings they are built from (a plain dataclass, no SDK)
    "simulator.py": ("suppgram_tui.link.settings", "suppgram_tui.link.settings.LinkSettings"),
}
"""Exceptions, by file name, each with its reason."""


def test_the_ui_check_can_fail() -> None:
    """The scanner sees a forbidden import, relative or absolute."""
    names = imported_names("from ...store import AgentStore\nimport suppgram_tui.link.client\n",
                           "suppgram_tui.ui.screens")
    assert "suppgram_tui.store.AgentStore" in names and "suppgram_tui.link.client" in names
