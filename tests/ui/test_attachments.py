"""Attachments on screen (issue 14 item 10): the real console (Pilot) on local_pubnub,
the customer's app being the official Python SDK with File Sharing."""

from __future__ import annotations

import base64
import io
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image as PILImage
from textual.widgets import Label, OptionList
from textual_image.widget import SixelImage, TGPImage

from suppgram_tui.converters import DefaultMessageConverter
from suppgram_tui.inbox import ConversationAction
from suppgram_tui.inbox.attachments import MAX_FILE_BYTES
from suppgram_tui.model import Message, MessageKind
from suppgram_tui.ui.app import make_app
from suppgram_tui.ui.screens.attachment_picker import AttachmentPickerScreen
from suppgram_tui.ui.screens.attachment_view import NO_PROTOCOL, AttachmentScreen
from suppgram_tui.ui.screens.confirm import ConfirmScreen
from suppgram_tui.ui.screens.prompt import PromptScreen
from tests.helpers.console_harness import console_settings, transcript_text, wait_ready
from tests.helpers.inbox_harness import (
    GROUP,
    InboxHarness,
    customer_client,
    open_conversation,
)
from tests.helpers.wait import wait_until

CHANNEL = "rita-support"
INVOICE = b"%PDF-1.4 invoice " * 2900  # 48 KB


@pytest.fixture
async def customer(local_server):
    client = customer_client(local_server.origin, "rita")
    await client.add_channel_to_channel_group().channels([CHANNEL]).channel_group(GROUP) \
        .future()
    yield client
    await client.stop()


async def send_file(customer, name: str, data: bytes, message=None):
    sent = await customer.send_file().channel(CHANNEL).file_name(name).file_object(data) \
        .message(message).should_store(True).future()
    return sent.result


def console(local_server, tmp_path: Path, *, image_protocol: str | None = None):
    settings = console_settings(local_server.origin, tmp_path / "ann.json")
    return make_app(replace(settings,
                            agent=replace(settings.agent, downloads_dir=tmp_path / "downloads"),
                            ui=replace(settings.ui, image_protocol=image_protocol)))


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_rita(app, pilot):
    screen = await wait_ready(app)
    await wait_until(lambda: CHANNEL in screen.conversation_list.rows)
    screen.conversation_list.select(CHANNEL, open=True)
    await wait_until(lambda: screen.channel == CHANNEL)
    await pilot.pause()
    return screen


def png(width: int = 8, height: int = 6) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


async def test_the_attachment_line_and_ctrl_s_saves_it_and_says_where(
        local_server, tmp_path, customer):
    await send_file(customer, "invoice.pdf", INVOICE, {"text": "my invoice"})
    app = console(local_server, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "📎 invoice.pdf · application/pdf · 48 KB"
                         in transcript_text(app))
        assert "my invoice" in transcript_text(app)
        await pilot.press("ctrl+s")
        saved = tmp_path / "downloads" / "invoice.pdf"
        await wait_until(lambda: any(f"Saved invoice.pdf as {saved}" in t for t in toasts(app)))
        assert saved.read_bytes() == INVOICE
        await pilot.press("ctrl+s")  # again: a new file, the first one kept
        again = tmp_path / "downloads" / "invoice (1).pdf"
        await wait_until(lambda: any(str(again) in t for t in toasts(app)))
        assert again.read_bytes() == INVOICE and saved.read_bytes() == INVOICE


async def test_a_hostile_file_name_is_data_and_saved_inside_the_directory(
        local_server, tmp_path, customer):
    hostile = "..\\..\\[bold red]evil[link=x]\u202egnp.txt"  # File Sharing takes no "/"
    await send_file(customer, hostile, b"payload")
    app = console(local_server, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "📎" in transcript_text(app))
        line = next(t for t in transcript_text(app).splitlines() if "📎" in t)
        assert "[bold red]evil[link=x]" in line  # markup shown as typed, not obeyed
        assert "\u202e" not in line
        await pilot.press("ctrl+s")
        await wait_until(lambda: any(t.startswith("Saved") for t in toasts(app)))
        (saved,) = (tmp_path / "downloads").iterdir()
        assert saved.read_bytes() == b"payload"
        assert saved.name == "[bold red]evil[link=x]_gnp.txt"  # no path, no bidi override
        assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["downloads"]


async def test_a_name_with_control_characters_is_shown_and_its_failure_said(
        local_server, tmp_path, customer):
    await send_file(customer, "bad\nname\x1b[2J.txt", b"payload")
    app = console(local_server, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "📎" in transcript_text(app))
        assert "\x1b" not in transcript_text(app)
        line = next(t for t in transcript_text(app).splitlines() if "📎" in t)
        assert "bad" in line and "name" in line and "2J.txt" in line  # on one line
        await pilot.press("ctrl+s")
        await wait_until(lambda: any("Not saved: The file could not be downloaded: the "
                                     "PubNub SDK cannot ask for a file whose name has "
                                     "control characters" in t for t in toasts(app)))
        assert not (tmp_path / "downloads").exists()


async def test_send_a_file_refuses_a_missing_or_oversized_path_in_words(
        local_server, tmp_path, customer, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    await open_conversation(customer, CHANNEL, "send me the form")
    big = tmp_path / "big.bin"
    big.write_bytes(b"0" * (MAX_FILE_BYTES + 1024 * 1024))
    (tmp_path / "form.txt").write_bytes(b"the form")
    app = console(local_server, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await pilot.press("f10")
        prompt = await wait_until(lambda: isinstance(app.screen, PromptScreen) and app.screen)
        problem = prompt.query_one("#prompt-problem")
        await pilot.press(*"~/big.bin", "enter")
        await wait_until(lambda: problem.display)
        assert "big.bin is 6.0 MB; PubNub takes files of at most 5.0 MB" in str(
            problem.render())
        prompt.query_one("Input").value = ""
        await pilot.press(*"~/nothing-here.pdf", "enter")
        await wait_until(lambda: problem.display and "There is no file at" in str(
            problem.render()))
        assert app.screen is prompt  # still asking, the text kept
        listed = await customer.list_files().channel(CHANNEL).future()
        assert listed.result.data == []

        prompt.query_one("Input").value = ""
        await pilot.press(*"~/form.txt", "enter")
        await wait_until(lambda: any(f"Sent form.txt to {CHANNEL}" in t for t in toasts(app)))
    listed = await customer.list_files().channel(CHANNEL).future()
    ((file),) = listed.result.data
    assert file["name"] == "form.txt"
    data = await customer.download_file().channel(CHANNEL).file_id(file["id"]) \
        .file_name("form.txt").future()
    assert data.result.data == b"the form"


async def test_an_image_is_text_where_the_terminal_has_no_image_protocol(
        local_server, tmp_path, customer):
    await send_file(customer, "parcel.png", png())
    app = console(local_server, tmp_path, image_protocol=None)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "📎 parcel.png · image/png" in transcript_text(app))
        await pilot.press("f9")
        view = await wait_until(lambda: isinstance(app.screen, AttachmentScreen)
                                and app.screen)
        assert not view.query(SixelImage)
        assert NO_PROTOCOL in str(view.query_one("#attachment-fallback").render())
        await pilot.press("ctrl+s")  # saving from the view
        await wait_until(lambda: (tmp_path / "downloads" / "parcel.png").exists())


async def test_an_image_is_drawn_by_textual_image_where_the_terminal_speaks_sixel(
        local_server, tmp_path, customer):
    await send_file(customer, "parcel.png", png())
    app = console(local_server, tmp_path, image_protocol="sixel")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "📎 parcel.png" in transcript_text(app))
        await pilot.press("f9")
        view = await wait_until(lambda: isinstance(app.screen, AttachmentScreen)
                                and app.screen)
        (image,) = view.query(SixelImage)
        assert image.image is not None and image.image.size == (8, 6)
        await pilot.press("escape")
        await wait_until(lambda: not isinstance(app.screen, AttachmentScreen))


class ImageConverter(DefaultMessageConverter):
    """Suppgram's format, with an image in base64 (as a Suppgram converter may carry)."""

    def convert_from_pubnub(self, message):
        payload = message.message
        if isinstance(payload, dict) and "image_b64" in payload:
            return Message(MessageKind.FROM_CUSTOMER, datetime.now(timezone.utc),
                           image=base64.b64decode(payload["image_b64"]),
                           image_mime="image/png")
        return super().convert_from_pubnub(message)


async def test_a_suppgram_image_is_an_attachment_saved_and_drawn_without_a_download(
        local_server, tmp_path, customer):
    picture = png(4, 3)
    await customer.publish().channel(CHANNEL).message(
        {"image_b64": base64.b64encode(picture).decode()}).future()
    settings = console_settings(local_server.origin, tmp_path / "ann.json",
                                converter_path=f"{__name__}.ImageConverter")
    app = make_app(replace(settings,
                           agent=replace(settings.agent, downloads_dir=tmp_path / "downloads"),
                           ui=replace(settings.ui, image_protocol="kitty")))
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: f"📎 image.png · image/png · {len(picture)} bytes"
                         in transcript_text(app))
        assert "📎 image.png" in "\n".join(app.console_screen.conversation_list.plain_rows())
        await pilot.press("f9")
        view = await wait_until(lambda: isinstance(app.screen, AttachmentScreen)
                                and app.screen)
        (image,) = view.query(TGPImage)
        assert image.image.size == (4, 3)
        await pilot.press("ctrl+s")
        await wait_until(lambda: (tmp_path / "downloads" / "image.png").exists())
        assert (tmp_path / "downloads" / "image.png").read_bytes() == picture


async def test_with_several_attachments_ctrl_s_asks_which(local_server, tmp_path, customer):
    await send_file(customer, "old.txt", b"old")
    await send_file(customer, "new.txt", b"new")
    app = console(local_server, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "📎 new.txt" in transcript_text(app))
        await pilot.press("ctrl+s")
        picker = await wait_until(lambda: isinstance(app.screen, AttachmentPickerScreen)
                                  and app.screen)
        options = picker.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt).split(" · ")[0]
                for i in range(options.option_count)] == ["📎 new.txt", "📎 old.txt"]
        await pilot.press("down", "enter")
        await wait_until(lambda: (tmp_path / "downloads" / "old.txt").exists())
        assert (tmp_path / "downloads" / "old.txt").read_bytes() == b"old"
        assert not (tmp_path / "downloads" / "new.txt").exists()


async def test_sending_a_file_in_another_agents_conversation_asks_first(
        local_server, tmp_path, customer):
    await open_conversation(customer, CHANNEL, "hello")
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    try:
        await wait_until(lambda: bob.texts(CHANNEL))
        await bob.inbox.apply(ConversationAction.CLAIM, CHANNEL)
        app = console(local_server, tmp_path)
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await open_rita(app, pilot)
            await wait_until(lambda: screen.inbox.conversations[CHANNEL].assignee == "bob")
            await pilot.press("f10")
            confirm = await wait_until(lambda: isinstance(app.screen, ConfirmScreen)
                                       and app.screen)
            assert "bob has this conversation. Send a file anyway?" in str(
                confirm.query_one(Label).render())
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, PromptScreen)  # no path asked, nothing sent
        listed = await customer.list_files().channel(CHANNEL).future()
        assert listed.result.data == []
    finally:
        await bob.stop()


async def test_a_chat_sdk_file_named_with_markup_and_a_path_is_data(
        local_server, tmp_path, customer):
    """The Chat SDK's `files` are the customer's JSON: any name at all, "/" included."""
    hostile = "[/]../../etc/x\x1b[2J[bold]"
    await customer.publish().channel(CHANNEL).message({
        "type": "text", "text": "see attached",
        "files": [{"name": hostile, "id": "no-such-file", "type": "[red]text/plain",
                   "url": "http://example.invalid/x"}]}).future()
    settings = console_settings(local_server.origin, tmp_path / "ann.json",
                                converter_path="suppgram_tui.converters.ChatSdkConverter")
    app = make_app(replace(settings, agent=replace(settings.agent,
                                                   downloads_dir=tmp_path / "downloads")))
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "📎" in transcript_text(app))
        line = next(t for t in transcript_text(app).splitlines() if "📎" in t)
        assert "[/]../../etc/x" in line and "[bold]" in line and "[red]text/plain" in line
        assert "\x1b" not in transcript_text(app)
        await pilot.press("ctrl+s")
        await wait_until(lambda: any(t.startswith("Not saved:") for t in toasts(app)))
        assert not (tmp_path / "downloads").exists()
        assert not (tmp_path / "etc").exists()
