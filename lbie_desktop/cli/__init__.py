"""`lbie` command line. Each area registers its subcommands from its own module."""

from __future__ import annotations

import argparse
import importlib
import sys

from lbie_desktop import __version__
from lbie_desktop.errors import UserError

# Modules with `register(subparsers)`; an area missing its module is skipped, not fatal.
COMMAND_MODULES = [
    "lbie_desktop.cli.ops_cmds",  # ops, apply
    "lbie_desktop.cli.render_cmds",  # fit, bench
    "lbie_desktop.cli.edit_cmds",  # edit
    "lbie_desktop.cli.understanding_cmds",  # parse, train understanding, eval understanding
    "lbie_desktop.cli.grounding_cmds",  # ground, models
    "lbie_desktop.cli.session_cmds",  # batch, session tools
    "lbie_desktop.cli.research_cmds",  # research cosal ...
    "lbie_desktop.cli.app_cmds",  # selftest
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lbie", description="LBIE Desktop: edit photos with words")
    parser.add_argument("--version", action="version", version=f"lbie {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"lbie: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lbie: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `lbie parse ... | head`: the reader left; say nothing more, as other Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
