"""`suppgram-tui check-converter`: the converter's round trip, as a table, JSON or JUnit."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from suppgram_tui.converters import ConverterLoadError, load_converter
from suppgram_tui.converters.checking import CheckResult, HangStreak, check_converter
from suppgram_tui.converters.envelope import Sender
from suppgram_tui.converters.samples import SampleError, check_sample, load_sample

from .check_report import json_report, junit_report, print_table


class _CheckUsageError(click.ClickException):
    """A converter that cannot be loaded: one sentence, exit code 2."""

    exit_code = 2


@click.command("check-converter")
@click.argument("converter_path", metavar="MODULE.CLASS")
@click.argument("sample_paths", nargs=-1, metavar="[SAMPLE.json]...",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pubnub-user-id", "support_user", default="support", show_default=True,
              help="The support user, as the console's --pubnub-user-id: agents' messages "
                   "are checked as published by it, customers' by 'check-customer'.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "junit"]),
              default="table", show_default=True,
              help="table for people; json or junit (JUnit XML) for CI.")
@click.pass_context
def check_converter_command(ctx: click.Context, converter_path: str,
                            sample_paths: tuple[Path, ...], support_user: str,
                            output_format: str) -> None:
    """Check a message converter headlessly, for CI: every kind, empty and long text,
    Unicode, time zones and images go to PubNub JSON and back and must come back the same
    and fit PubNub's 32 KiB publish limit. Each is decoded in the envelope PubNub would
    deliver: from its sender (agents' kinds from the support user, with the console's
    meta), at the message's own time, with the meta and custom message type published.

    Each SAMPLE file holds one JSON payload as your customers' app publishes it, or an
    envelope around one: {"message": ..., "publisher": ..., "timetoken": ..., "meta":
    ..., "custom_message_type": ...} (a history item, with "uuid", works too). It must
    decode, and re-encode to the same message; one the converter ignores passes.

    Exit code 0 when everything passed, 1 when anything failed, 2 when the converter
    cannot be loaded or a sample file cannot be read (the other cases still run).
    """
    try:
        converter = load_converter(converter_path, support_user=support_user)
    except ConverterLoadError as error:
        raise _CheckUsageError(str(error)) from None
    sender = Sender(support_user=support_user)
    streak = HangStreak()
    results = check_converter(converter, sender=sender, streak=streak)
    unreadable = 0
    for path in sample_paths:
        try:
            sample = load_sample(path)
        except SampleError as error:
            unreadable += 1
            results.append(CheckResult(f"sample {path.name}", False, str(error)))
            continue
        results.append(streak.run(f"sample {sample.name}",
                                  partial(check_sample, converter, sample, sender)))
    _report(output_format, converter_path, results)
    ctx.exit(2 if unreadable else 0 if all(result.passed for result in results) else 1)


def _report(output_format: str, converter_path: str, results: list[CheckResult]) -> None:
    if output_format == "json":
        click.echo(json_report(converter_path, results))
    elif output_format == "junit":
        click.echo(junit_report(converter_path, results))
    else:
        print_table(converter_path, results)
