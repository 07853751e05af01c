"""A crash prints no secret (issue 11, the crash-output finding).

Textual's crash report shows every frame's local variables; a frame holding the secret
key would print it to the terminal. The real console app runs in a subprocess with
`PUBNUB_SECRET_KEY` set, a fault is injected after it has started, and everything it
wrote is searched for the key.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SECRET = "sec-c-DO-NOT-PRINT-5f1e2d3c"

SCRIPT = textwrap.dedent('''
    import os
    from pathlib import Path

    from suppgram_tui.ui.app import SuppgramConsole, make_app
    from tests.helpers.console_harness import console_settings


    def explode() -> None:
        secret_key = os.environ["PUBNUB_SECRET_KEY"]  # a local the report must not show
        raise RuntimeError(f"forced crash after reading {len(secret_key)} characters")


    class Crashing(SuppgramConsole):
        def on_mount(self) -> None:
            super().on_mount()
            self.set_timer(0.3, explode)


    settings = console_settings("127.0.0.1:9", Path(os.environ["STORE"]))
    app = make_app(settings)
    app.__class__ = Crashing
    app.run(headless=True)
''')


def test_a_crash_report_prints_no_secret(tmp_path: Path) -> None:
    env = {**os.environ, "PUBNUB_SECRET_KEY": SECRET, "STORE": str(tmp_path / "ann.json"),
           "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env=env, timeout=60, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "forced crash" in output, output[-2000:]  # the crash did happen and was reported
    assert SECRET not in output
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path
