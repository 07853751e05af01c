"""`suppgram-tui check-converter`: the converter's round trip, as a table for CI."""

from __future__ import annotations

from pathlib import Path

import click

from suppgram_tui.converters import ConverterLoadError, load_converter
from suppgram_tui.converters.checking import (
    CheckResult,
    SampleError,
    check_converter,
    load_sample,
)
from suppgram_tui.text import visible


class _CheckUsageError(click.ClickException):
    """A converter or sample file that cannot be loaded: one sentence, exit code 2."""

    exit_code = 2


@click.command("check-converter")
@click.argument("converter_path", metavar="MODULE.CLASS")
@click.argument("sample_paths", nargs=-1, metavar="[SAMPLE.json]...",
                type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def check_converter_command(ctx: click.Context, converter_path: str,
                            sample_paths: tuple[Path, ...]) -> None:
    """Check a message converter headlessly, for CI: every kind, empty and long text,
    Unicode, time zones and images go to PubNub JSON and back and must come back the same
    and fit PubNub's 32 KiB publish limit.

    Each SAMPLE file holds one JSON payload as your customers' app publishes it; it must
    decode, and re-encode to the same message. Exit code 0 when everything passed, 1 when
    anything failed, 2 when the converter or a sample cannot be loaded.
    """
    try:
        converter = load_converter(converter_path)
        samples = [load_sample(path) for path in sample_paths]
    except (ConverterLoadError, SampleError) as error:
        raise _CheckUsageError(str(error)) from None
    results = check_converter(converter, samples)
    _print_check_results(converter_path, results)
    ctx.exit(0 if all(result.passed for result in results) else 1)


def _print_check_results(converter_path: str, results: list[CheckResult]) -> None:
    """A table on stdout; every converter-produced word is plain text, never markup."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"check-converter {visible(converter_path)}"), title_justify="left")
    table.add_column("case", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("details", overflow="fold")
    for result in results:
        status = (Text("skip", style="yellow") if result.skipped
                  else Text("pass", style="green") if result.passed
                  else Text("FAIL", style="bold red"))
        table.add_row(Text(visible(result.name, keep_newlines=False)), status,
                      Text(visible(result.reason, keep_newlines=False)))
    failed = sum(not result.passed for result in results)
    skipped = sum(result.skipped for result in results)
    passed = len(results) - failed - skipped
    console = Console(highlight=False)
    console.print(table)
    console.print(Text(f"{passed} passed, {failed} failed, {skipped} skipped"))
