"""`python -m cabc push <file|dir>... --toe <id>`: the Node CLI's `cabc evidence push`, same flags and exit codes."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Callable, List, NoReturn, Optional, Sequence, TextIO

from ._version import __version__
from .client import DEFAULT_COLLECTOR_URL, Client
from .errors import InvalidArgument, InvalidArgumentType
from .evidence import Subject
from .push_report import PushReport
from .vocabulary import FORMATS


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    # A wrong command line exits 1 like the Node CLI (argparse's own convention is 2).
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m cabc", description="CABC Python SDK command line")
    parser.add_argument("--version", action="version", version=f"cabc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command", parser_class=_Parser)
    push = commands.add_parser(
        "push",
        help="push ML tool outputs (files or directories) to the evidence collector",
        description="Push ML tool outputs to the evidence collector, one request per file. Files named here must be "
        "evidence; files found in directories that are not evidence are skipped. Exit status 0 when every file was "
        "pushed or skipped and one at least was pushed, else 1.",
    )
    push.add_argument("paths", nargs="+", help="files and directories (walked recursively, hidden entries skipped)")
    push.add_argument("--toe", required=True, help="the target of evaluation the evidence is for")
    push.add_argument("--format", choices=FORMATS, help="skip detection: every file is of this format")
    push.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME@sha256:HEX",
        help="the model the files are about (repeatable); needed for formats that name no digest",
    )
    push.add_argument(
        "--collector",
        default=os.environ.get("CABC_COLLECTOR_URL") or DEFAULT_COLLECTOR_URL,
        help="collector base URL (env CABC_COLLECTOR_URL)",
    )
    push.add_argument("--token", help="bearer token with role pipeline (env CABC_TOKEN)")
    push.add_argument(
        "--run-id",
        help="pipeline run id: a re-run with the same id pushes nothing twice "
        "(env CABC_RUN_ID, GITHUB_RUN_ID, CI_PIPELINE_ID, ...)",
    )
    push.add_argument("--concurrency", default="4", help="files uploaded at once (1 to 32)")
    push.add_argument("--json", action="store_true", help="print one JSON document (the report) instead of text")
    return parser


def _progress(stream: TextIO) -> Optional[Callable[[int, int], None]]:
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total > 1:
            stream.write(f"\rpushing {done}/{total} files" + ("\r\033[K" if done == total else ""))
            stream.flush()

    return show


def _push(options: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    token = options.token or os.environ.get("CABC_TOKEN")
    if not token:
        raise _UsageError(
            "a bearer token is required: --token <t> or CABC_TOKEN (e.g. cabc token --role pipeline --org <org>)"
        )
    for model in options.model:
        try:
            Subject.parse(model)
        except InvalidArgument:
            raise _UsageError(f"--model {model}: expected <name>@sha256:<64 hex digits>") from None
    try:
        concurrency = int(options.concurrency)
    except ValueError:
        concurrency = 0
    if not 1 <= concurrency <= 32:
        raise _UsageError("--concurrency: a whole number from 1 to 32")
    try:
        client = Client(options.collector, token, run_id=options.run_id)
    except InvalidArgument as error:
        if error.argument != "collector_url":
            raise
        raise _UsageError(f"--collector {options.collector}: not an http(s) URL") from None
    progress = None if options.json else _progress(stdout)
    report = client.push_paths(
        options.toe,
        options.paths,
        subject=options.model,
        format=options.format,
        concurrency=concurrency,
        on_progress=progress,
    )
    _print(report, options.json, stdout, stderr)
    return 0 if report.ok else 1


def _print(report: PushReport, as_json: bool, stdout: TextIO, stderr: TextIO) -> None:
    if as_json:
        stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    for item in report.files:
        if item.status == "skipped":
            stderr.write(f"warning: {item.path}: skipped, {item.reason}\n")
        else:
            stdout.write(item.line() + "\n")
    summary = report.summary()
    rejected = f"; {summary['rejected']} rejected" if summary["rejected"] else ""
    skipped = f"; {summary['skipped']} skipped" if summary["skipped"] else ""
    stdout.write(
        f"{'pushed' if report.ok else 'FAILED:'} {summary['pushed']} of {summary['files']} file(s), "
        f"{summary['evidence']} evidence, ToE {report.toe}, collector {report.collector}{rejected}{skipped}\n"
    )
    if summary["files"] == 0:
        stderr.write("cabc: no files found\n")


def main(argv: Optional[Sequence[str]] = None, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """Runs the command line; returns the exit status (0 ok, 1 rejected / unreachable / wrong command line)."""
    parser = _parser()
    args: List[str] = list(sys.argv[1:] if argv is None else argv)
    try:
        options = parser.parse_args(args)
        if options.command != "push":
            parser.print_help(stdout)
            return 0 if not args else 1
        return _push(options, stdout, stderr)
    except _UsageError as error:
        stderr.write(f"cabc: {error}\n")
        return 1
    except (InvalidArgument, InvalidArgumentType) as error:
        stderr.write(f"cabc: {error}\n")
        return 1
    except KeyboardInterrupt:
        return 130
