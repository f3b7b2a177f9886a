"""Entry point: the bare command opens the workbench; subcommands run headless.

Each subcommand lives in `dynotui/commands/NAME.py` with `register(subparsers, common)`
that adds its parser and sets `func=run`. Heavy imports happen inside `run`.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys

from dynotui import __version__
from dynotui.config import load_settings
from dynotui.core.errors import DynoError
from dynotui.core.text import escape

COMMANDS = ["datasets", "show", "generate", "decide", "import_tasks", "stats", "export",
            "similar", "crawl", "batch", "serve", "proposals", "agreement", "sync"]


def common_parser(for_command: bool = False) -> argparse.ArgumentParser:
    """--workspace and --annotator, accepted before and after the command name."""
    # A subcommand's own default would overwrite a value given before the command.
    default = argparse.SUPPRESS if for_command else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", metavar="DIR", default=default,
                        help="folder that holds the store (env DYNOTUI_WORKSPACE)")
    common.add_argument("--annotator", metavar="NAME", default=default,
                        help="who decides (default: login name)")
    common.add_argument("--guidelines", metavar="FILE", default=default,
                        help="annotation guidelines (default: WORKSPACE/guidelines.md)")
    return common


def command_names() -> list[str]:
    return [name.replace("_", "-") for name in COMMANDS]


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    """The full parser, or (with_commands=False) the light one for the bare command."""
    parser = argparse.ArgumentParser(
        prog="dynotui", parents=[common_parser()],
        description="Curate instruction-tuning data the Dynosaur way. "
                    "Without a command, opens the workbench.",
        epilog=f"commands: {', '.join(command_names())}  (dynotui COMMAND --help)")
    parser.add_argument("--version", action="version", version=f"dynotui {__version__}")
    parser.add_argument("--theme", help="theme name (see themes/)")
    parser.add_argument("--source", default="sample",
                        help="what to browse first: sample, hub, or a local folder/file")
    parser.add_argument("--adjudicate", action="store_true",
                        help="decisions in Review's conflicts queue (c) settle the conflicts")
    # `serve` starts each unnamed browser session with this: the app asks who decides.
    parser.add_argument("--ask-annotator", action="store_true", help=argparse.SUPPRESS)
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_parser(for_command=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"dynotui.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"dynotui.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The bare command skips importing every command module: start-up time matters there.
    wants_command = any(arg in command_names() for arg in argv)
    parser = build_parser(with_commands=wants_command)
    if not wants_command and argv and not argv[0].startswith("-"):
        parser.error(f"unknown command '{argv[0]}'; commands: {', '.join(command_names())}")
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            # Start-up makes ~1M objects and few cycles: no cyclic collection until the first
            # frame is up (they cost ~0.1 s on the way to it); the app turns it back on then.
            gc.disable()
            try:
                from dynotui.tui.start import run_app  # textual loads only for the workbench

                return run_app(args) or 0
            finally:
                gc.enable()
        load_settings()  # the whole config file checked before any work is done or paid for
        return args.func(args) or 0
    except DynoError as exc:
        # Messages quote paths, names and server text: never let them reach the terminal raw.
        print(f"dynotui: {escape(exc.message)}", file=sys.stderr)
        if exc.hint:
            print(escape(exc.hint), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dynotui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `dynotui stats --json | head`: the reader left; quiet, like other Unix tools.
        sys.stderr.close()
        return 141


if __name__ == "__main__":
    sys.exit(main())
