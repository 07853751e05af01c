"""A customer on PubNub's Chat SDK, driven from a test: tests/js/chat_customer.mjs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.style import Style

from suppgram_tui.ui.widgets.transcript_entry import EntryStyles, message_texts
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY
from tests.helpers.wait import wait_until

PLAIN = EntryStyles(Style(), Style(), Style(), Style())
"""No styles: `shown` gives an entry's words as the transcript draws them."""

ANSWER_SECONDS = 20


class ChatCustomer:
    """One node process: `await ChatCustomer.start(...)`, then `await ask("send hi")`."""

    def __init__(self, process: asyncio.subprocess.Process, channel: str) -> None:
        self.process = process
        self.channel = channel

    @classmethod
    async def start(cls, js_dir: Path, origin: str, user_id: str, *, support: str = "support",
                    group: str = "support", script: str = "chat_customer.mjs"
                    ) -> ChatCustomer:
        """`script`: the app under tests/js (chat_thread_customer.mjs for threads and
        read positions)."""
        process = await asyncio.create_subprocess_exec(
            "node", str(js_dir / script), origin, PUBLISH_KEY, SUBSCRIBE_KEY,
            user_id, support, group, cwd=js_dir, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        customer = cls(process, "")
        ready = await customer._answer()
        if "ready" not in ready:
            raise AssertionError(f"the Chat SDK customer did not start: {ready}")
        customer.channel = ready["ready"]
        return customer

    async def ask(self, command: str) -> Any:
        """Run one command; its answer, or AssertionError with the app's error."""
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()
        answer = await self._answer()
        if "ok" not in answer:
            raise AssertionError(f"{command!r}: {answer}")
        return answer["ok"]

    async def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), ANSWER_SECONDS)
        if not line:
            assert self.process.stderr is not None
            errors = await self.process.stderr.read()
            raise AssertionError("the Chat SDK customer exited: "
                                 + errors.decode("utf-8", "replace")[-2000:])
        return dict(json.loads(line))

    async def stop(self) -> None:
        if self.process.returncode is None:
            assert self.process.stdin is not None
            self.process.stdin.write(b"quit\n")
            try:
                await asyncio.wait_for(self.process.wait(), 5)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()


async def eventually(ask: Callable[[], Any], check: Callable[[Any], bool],
                     timeout: float = 10.0) -> Any:
    """Ask the customer's app again until its answer passes `check`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = await ask()
        if check(answer):
            return answer
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the customer's app still says {answer!r}")
        await asyncio.sleep(0.1)


async def wrote(harness, customer: ChatCustomer, text: str) -> int:
    """The customer sends `text`; its timetoken once the console has it."""
    timetoken = int((await customer.ask(f"send {text}"))["timetoken"])
    await wait_until(lambda: (c := harness.inbox.conversations.get(customer.channel))
                     and c.entry_at(timetoken) is not None)
    return timetoken


def shown(entry) -> str:
    return "\n".join(text.plain for text in message_texts(entry, PLAIN))
