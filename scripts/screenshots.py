"""Drive the real console through every screen and write SVG screenshots.

Usage: python scripts/screenshots.py [OUT_DIR]   (default: screenshots/)

It uses the same hermetic scenes as the snapshot tests: an in-process local_pubnub, real
SDK customers, a fixed clock.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from tests.helpers.snapshot_scenes import (  # noqa: E402
    SIZE,
    connected,
    press,
    scene_app,
    simulator,
    then,
    with_customers,
)

SCENES: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "console-empty": connected,
    "console": with_customers,
    "console-raw-view": then(with_customers, press("escape", "down", "down"), press("f2")),
    "tag-prompt": then(with_customers, press("escape"), press("ctrl+t")),
    "stats": then(with_customers, press("f3")),
    "help": then(connected, press("f1")),
    "simulator": simulator,
    "command-palette": then(with_customers, press("escape"), press("ctrl+p"),
                            press(*"resolve")),
}


def shoot(name: str, scene: Callable[[Pilot], Awaitable[None]], out: Path) -> Path:
    with tempfile.TemporaryDirectory() as work:
        app = scene_app(Path(work) / "agent.json")

        async def drive(pilot: Pilot) -> None:
            await scene(pilot)
            await pilot.pause(0.2)
            app.exit(app.export_screenshot(title=f"suppgram-tui: {name}"))

        svg = app.run(headless=True, size=SIZE, auto_pilot=drive)
    target = out / f"{name}.svg"
    target.write_text(str(svg), encoding="utf-8")
    return target


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    os.environ["TZ"] = "UTC"
    time.tzset()
    for name, scene in SCENES.items():
        print(shoot(name, scene, out))


if __name__ == "__main__":
    main()
