"""`lbie selftest`: the packaged app's end-to-end check, also usable from a source checkout."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("selftest", help="run the sample photo through the whole pipeline")
    p.add_argument("--out-dir", help="where to write selftest.jpg (default: a temp folder)")
    p.set_defaults(func=cmd_selftest)


def cmd_selftest(args) -> int:
    from lbie_desktop.selftest import SelfTestError, run_self_test

    try:
        run_self_test(args.out_dir)
    except SelfTestError as exc:
        print(f"self-test FAILED: {exc}")
        return 1
    return 0
