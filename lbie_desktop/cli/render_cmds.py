"""`lbie fit` (parameters from a before/after pair) and `lbie bench` (renderer speed)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from lbie_desktop.cli.common import load
from lbie_desktop.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fit", help="fit operation parameters that turn SOURCE into TARGET")
    p.add_argument("source")
    p.add_argument("target")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--ops", help="comma-separated operations, e.g. brightness,contrast")
    g.add_argument("--plan", help="start from this plan.json (keeps its masks and order)")
    p.add_argument("-o", "--out", required=True, help="where to write the fitted plan.json")
    p.add_argument("--iterations", type=int, default=150, help="Adam steps (default 150)")
    p.add_argument("--lr", type=float, default=0.05, help="Adam learning rate (default 0.05)")
    p.add_argument("--size", type=int, default=256,
                   help="long side of the copy the fit runs on (default 256)")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("bench", help="time the renderer against PIL on an 18 MP photo")
    p.add_argument("--size", default="5184x3456", help="photo size WxH (default 5184x3456)")
    p.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is kept")
    p.add_argument("--no-reference", action="store_true",
                   help="skip the slow full-resolution reference render (error on proxy only)")
    p.add_argument("--removal", action="store_true",
                   help="instead: object removal quality (pasted objects on real photos: "
                        "PSNR, error, SSIM of the fill) and time, tuned and held-out photos")
    p.add_argument("--save", metavar="DIR",
                   help="with --removal: write scene | result | truth PNGs to DIR")
    p.set_defaults(func=cmd_bench)


def cmd_fit(args) -> int:
    from lbie_desktop.core.fit import fit_detailed
    from lbie_desktop.core.plan import Plan

    if args.iterations < 1 or args.lr <= 0 or args.size < 8:
        raise UserError("--iterations must be >= 1, --lr > 0 and --size >= 8")
    src = load(args.source)
    tgt = load(args.target)
    ops = Plan.load(args.plan) if args.plan else [o.strip() for o in args.ops.split(",")
                                                  if o.strip()]
    res = fit_detailed(src.rgb, tgt.rgb, ops, steps=args.iterations, lr=args.lr,
                       long_side=args.size)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    res.plan.save(out)
    for s in res.plan:
        print(f"step: {s.op} {s.params}")
    print(f"L1 distance to target: {res.initial_loss:.4f} -> {res.loss:.4f} "
          f"(mean absolute difference, 0..1)")
    print(f"saved {out} (apply it with `lbie apply {args.source} --plan {out} -o OUT`)")
    return 0


def cmd_bench(args) -> int:
    if args.removal:
        from lbie_desktop.core.removal_bench import run_removal_bench

        print("\n".join(run_removal_bench(save_dir=args.save).lines()))
        return 0
    from lbie_desktop.core.fast.bench import run_bench

    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", args.size)
    if not m or min(int(m[1]), int(m[2])) < 16:
        raise UserError(f"--size must look like 5184x3456 (got {args.size!r})")
    if args.repeat < 1:
        raise UserError("--repeat must be at least 1")
    res = run_bench((int(m[1]), int(m[2])), repeat=args.repeat,
                    reference=not args.no_reference)
    print("\n".join(res.lines()))
    return 0
