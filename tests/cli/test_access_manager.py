"""The command line against a real `suppgram-tui serve --secret-key` in its own process:
grant-token, rejected keys, the simulator without a secret key, what serve says at start.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.settings import LOCAL_PUBLISH_KEY, LOCAL_SUBSCRIBE_KEY
from tests.helpers.server_process import free_port
from tests.terminal.harness import Terminal, terminal_env

SECRET = "sec-c-cli-test"
CLI = str(Path(sys.executable).with_name("suppgram-tui"))


class Served:
    def __init__(self, process: subprocess.Popen[str], port: int, banner: list[str]) -> None:
        self.process, self.port, self.banner = process, port, banner

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.port}"


def serve(env: dict[str, str], *args: str) -> Served:
    """`suppgram-tui serve` on a free port; its first two stdout lines (the banner)."""
    port = free_port()
    process = subprocess.Popen([CLI, "serve", "--port", str(port), *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    banner = [process.stdout.readline().strip(), process.stdout.readline().strip()]
    assert "listening on" in banner[0], process.stderr.read() if process.stderr else banner
    return Served(process, port, banner)


def stop(served: Served) -> None:
    served.process.terminate()
    served.process.wait(10)


def base_env(**extra: str) -> dict[str, str]:
    """No PubNub variables but those given: an origin on this machine, the local keyset."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUBNUB_", "LOCAL_PUBNUB"))}
    return {**env, **extra}


@pytest.fixture
def pam_server() -> Iterator[Served]:
    served = serve(base_env(LOCAL_PUBNUB_SECRET_KEY=SECRET))
    yield served
    stop(served)


def cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


# item 18: serve says whether Access Manager is on --------------------------------------

def test_serve_says_access_manager_is_on_or_off_and_that_it_ignores_pubnub_secret_key():
    with_key = serve(base_env(LOCAL_PUBNUB_SECRET_KEY=SECRET))
    stop(with_key)
    assert with_key.banner[1].startswith("Access Manager on")
    assert f"grant-token --origin {with_key.origin}" in with_key.banner[1]
    console_key = serve(base_env(PUBNUB_SECRET_KEY=SECRET))
    stop(console_key)
    assert console_key.banner[1].startswith("Access Manager off: every request is allowed")
    assert "PUBNUB_SECRET_KEY is set, but serve takes its key only from --secret-key" \
        in console_key.banner[1]
    assert SECRET not in " ".join(with_key.banner + console_key.banner)


# item 10: grant-token ------------------------------------------------------------------

def client(origin: str, uuid: str, token: str) -> PubNubAsyncio:
    config = PNConfiguration()
    config.publish_key, config.subscribe_key, config.uuid = (LOCAL_PUBLISH_KEY,
                                                             LOCAL_SUBSCRIBE_KEY, uuid)
    config.origin, config.ssl = origin, False
    pubnub = PubNubAsyncio(config)
    pubnub.set_token(token)
    return pubnub


async def test_grant_token_mints_what_the_console_needs_and_nothing_for_another_user(
        pam_server):
    result = cli("grant-token", "--origin", f"http://{pam_server.origin}", "--ttl", "90",
                 env=base_env(PUBNUB_SECRET_KEY=SECRET))
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert "\n" not in token and SECRET not in result.stdout + result.stderr
    assert "valid 90 minutes" in result.stderr
    assert "channel group support: read (subscribe), manage (list its channels)" \
        in result.stderr
    support = client(pam_server.origin, "support", token)
    try:
        listed = await support.list_channels_in_channel_group().channel_group("support") \
            .future()
        assert not listed.status.is_error()
        state = await support.get_all_channel_metadata().limit(1).future()
        assert not state.status.is_error()
        claim = await support.set_channel_metadata().channel("suppgram-state.c1") \
            .custom({"status": "assigned"}).future()
        assert not claim.status.is_error()
        reply = await support.publish().channel("c1-support").message({"text": "hi"}) \
            .future()
        assert not reply.status.is_error()
    finally:
        await support.stop()
    impostor = client(pam_server.origin, "cust-1", token)
    try:
        stolen = await impostor.get_all_channel_metadata().limit(1).future()
        assert stolen.status.is_error() and stolen.status.status_code == 403
    finally:
        await impostor.stop()


def test_grant_token_with_a_wrong_or_no_secret_key_is_one_sentence(pam_server):
    wrong = cli("grant-token", "--origin", pam_server.origin,
                env=base_env(PUBNUB_SECRET_KEY="not-it"))
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert wrong.stderr.strip() == ("Error: PUBNUB_SECRET_KEY is not this keyset's secret "
                                    "key (PubNub answered 'Invalid Signature').")
    missing = cli("grant-token", "--origin", pam_server.origin, env=base_env())
    assert missing.returncode == 1 and "PUBNUB_SECRET_KEY is not set" in missing.stderr


# item 12: the console exits 1 on a wrong secret key -----------------------------------

async def test_console_with_a_wrong_secret_key_says_so_and_exits_1(pam_server, tmp_path):
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    env = {**terminal_env(home, "", ""), "PUBNUB_SECRET_KEY": "not-it"}
    del env["PUBNUB_PUBLISH_KEY"], env["PUBNUB_SUBSCRIBE_KEY"]
    terminal = Terminal([CLI, "--origin", pam_server.origin, "--data-dir", str(home / "data")],
                        env=env, columns=120, rows=20).start()
    try:
        status = await terminal.wait_exit(30)
        await asyncio.sleep(0.2)  # the last bytes after the exit
        terminal._readable()
        assert status == 1, terminal.screen_text()
        assert "PUBNUB_SECRET_KEY is not this keyset's secret key" in terminal.screen_text()
        assert "Traceback" not in terminal.screen_text()
        for written in home.rglob("*"):  # the log, the store: never the secret
            assert not written.is_file() or b"not-it" not in written.read_bytes(), written
    finally:
        await terminal.close()


# item 14: the simulator says why it cannot start customers ---------------------------

def test_simulate_without_or_with_a_wrong_secret_key_says_why_and_exits_1(pam_server):
    args = ("simulate", "--origin", pam_server.origin, "--customers", "1", "--duration", "1")
    without = cli(*args, env=base_env())
    assert without.returncode == 1 and "Traceback" not in without.stderr
    assert ("This keyset has Access Manager on: the simulator needs PUBNUB_SECRET_KEY"
            in without.stderr)
    token_only = cli(*args, env=base_env(PUBNUB_TOKEN="whatever"))
    assert token_only.returncode == 1 and "the agents' PUBNUB_TOKEN cannot" in token_only.stderr
    wrong = cli(*args, env=base_env(PUBNUB_SECRET_KEY="not-it"))
    assert wrong.returncode == 1
    assert "PUBNUB_SECRET_KEY is not this keyset's secret key" in wrong.stderr
    right = cli(*args, env=base_env(PUBNUB_SECRET_KEY=SECRET))
    assert right.returncode == 0, right.stderr
    assert "1 customers" in right.stdout


# items 15, 16: simulate --local on a taken port, and its hint pasted ------------------

async def test_simulate_local_on_a_taken_port_falls_back_and_its_hint_works_pasted(
        tmp_path):
    taken = serve(base_env())
    try:
        process = await asyncio.create_subprocess_exec(
            CLI, "simulate", "--local", "--local-port", str(taken.port), "--customers", "1",
            "--rate", "1", "--duration", "60", env=base_env(PUBNUB_TOKEN="agents-token"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        lines = [(await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
                 for _ in range(4)]
        assert lines[0].startswith(f"Port {taken.port} is taken; the local server listens on")
        hint = lines[2].removeprefix("Watch it with: ")
        assert hint.startswith("suppgram-tui --origin 127.0.0.1:") and lines[3].endswith(
            "keyset sub-c-local")
        assert b"--local ignores PUBNUB_TOKEN" in await asyncio.wait_for(
            process.stderr.readline(), 10)
        home = tmp_path / "home"
        (home / "data").mkdir(parents=True)
        env = terminal_env(home, "", "")
        del env["PUBNUB_PUBLISH_KEY"], env["PUBNUB_SUBSCRIBE_KEY"]
        argv = shlex.split(hint)
        terminal = Terminal([CLI, *argv[1:], "--data-dir", str(home / "data")], env=env,
                            columns=160, rows=24).start()
        try:
            await terminal.wait_for_text("load-7-0000", timeout=40)
            assert "keyset sub-c-local" in terminal.row(0)
        finally:
            await terminal.close()
        process.terminate()
        await process.wait()
    finally:
        stop(taken)


# found by hand: the load simulator while the server is gone ------------------------------

def test_simulate_load_counts_what_failed_apart_and_says_why_in_words():
    """With the server gone mid-run it counted every attempt as "sent" and the SDK
    printed "session.request exception: All connection attempts failed" on each."""
    served = serve(base_env())
    process = subprocess.Popen(
        [CLI, "simulate", "--origin", served.origin, "--customers", "1", "--rate", "10",
         "--duration", "6"], env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    assert process.stdout is not None
    assert "Customers on" in process.stdout.readline()
    first = process.stdout.readline()  # the first report, 5 s in: the server was there
    stop(served)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert " 0 failed" in first, first
    last = out.strip().splitlines()[-1]
    sent, failed = (int(n) for n in re.findall(r"(\d+) messages sent .* (\d+) failed", last)[0])
    assert failed > 0 and sent + failed <= 61, last
    assert f"(last: cannot reach {served.origin} (connection refused))" in last, last
    assert "session.request" not in err and "Traceback" not in err, err
