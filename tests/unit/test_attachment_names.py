"""A file name is the sender's text: saved as one plain name inside the directory."""

from __future__ import annotations

import pytest

from suppgram_tui.inbox.attachments import human_size, safe_file_name, write_new_file
from suppgram_tui.ui.images import detect_image_protocol, image_widget, protocol_of


@pytest.mark.parametrize("name, safe", [
    ("invoice.pdf", "invoice.pdf"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("/abs/path.txt", "path.txt"),
    ("..", "file"),
    (".bashrc", "bashrc"),
    ("a\nb\x1b[2J.txt", "a_b_[2J.txt"),
    ("[bold]x[/]", "]"),  # "/" divides paths: the last part is the name
    ("", "file"),
    ("evil\u202egnp.exe", "evil_gnp.exe"),  # a bidi override would disguise it
])
def test_safe_file_names(name, safe):
    assert safe_file_name(name) == safe


def test_a_long_name_keeps_its_extension():
    name = safe_file_name("x" * 500 + ".pdf")
    assert len(name) <= 120 and name.endswith(".pdf")


def test_saving_stays_inside_the_directory_and_never_overwrites(tmp_path):
    downloads = tmp_path / "downloads"
    first = write_new_file(downloads, "../../escape.txt", b"one")
    second = write_new_file(downloads, "../../escape.txt", b"two")
    assert (first.name, second.name) == ("escape.txt", "escape (1).txt")
    assert first.parent == second.parent == downloads
    assert (first.read_bytes(), second.read_bytes()) == (b"one", b"two")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["downloads"]


def test_sizes_in_words():
    assert [human_size(n) for n in (None, 1, 512, 48 * 1024, 5 * 1024 * 1024)] == [
        "size unknown", "1 byte", "512 bytes", "48 KB", "5.0 MB"]


def test_textual_image_chooses_and_the_console_follows():
    """textual-image's own detection decides: here (no terminal) it picks a text-only
    renderable, which the console does not draw with; its Sixel and Kitty ones are."""
    from textual_image import renderable

    assert protocol_of(renderable.Image) is None
    assert protocol_of(renderable.SixelImage) == "sixel"
    assert protocol_of(renderable.TGPImage) == "kitty"
    assert detect_image_protocol() is None  # not a terminal
    assert detect_image_protocol({"SUPPGRAM_TUI_IMAGES": "off"}) is None


def test_no_image_widget_without_a_protocol_or_for_bytes_that_are_no_image():
    assert image_widget(b"\x89PNG not really", "sixel") is None
    assert image_widget(b"anything", None) is None
