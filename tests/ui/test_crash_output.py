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
import time
from pathlib import Path

import ptyprocess

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


CLI_SCRIPT = textwrap.dedent('''
    import os

    from suppgram_tui.cli import main
    from suppgram_tui.ui.app import SuppgramConsole


    def explode() -> None:
        secret_key = os.environ["PUBNUB_SECRET_KEY"]  # a local the report must not show
        raise RuntimeError(f"forced crash after reading {len(secret_key)} characters")


    started = SuppgramConsole.on_mount


    def on_mount(self) -> None:
        started(self)
        self.set_timer(0.3, explode)


    SuppgramConsole.on_mount = on_mount
    main()  # the command line as given: suppgram-tui --origin ... --data-dir ...
''')


def test_the_console_exits_non_zero_after_a_crash(tmp_path: Path) -> None:
    """An agent's shell, a supervisor or a wrapper script must see that it failed."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "PUBNUB_PUBLISH_KEY": "pub-c-crash", "PUBNUB_SUBSCRIBE_KEY": "sub-c-crash",
           "PUBNUB_SECRET_KEY": SECRET, "PYTHONPATH": str(Path(__file__).parents[2])}
    process = ptyprocess.PtyProcess.spawn(
        [sys.executable, "-c", CLI_SCRIPT, "--origin", "127.0.0.1:9",
         "--data-dir", str(tmp_path / "data"), "--agent-name", "ann"],
        env=env, cwd=str(tmp_path), dimensions=(40, 120))
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            output += process.read(65536)
        except EOFError:
            break
    process.wait()
    text = output.decode(errors="replace")
    assert "forced crash" in text, text[-2000:]
    assert SECRET not in text
    assert process.exitstatus not in (0, None), (process.exitstatus, process.signalstatus)
