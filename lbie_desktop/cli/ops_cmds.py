"""`lbie ops`, `lbie apply`: the op registry from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lbie_desktop.cli.common import load, save_result
from lbie_desktop.core.ops import all_ops, get_op
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.session import Session
from lbie_desktop.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ops", help="list the operations and their parameters")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_ops)

    p = sub.add_parser("apply", help="apply operations or a plan to a photo")
    p.add_argument("image")
    p.add_argument("--op", action="append", default=[], metavar="NAME[.PARAM]=VALUE",
                   help="e.g. --op brightness=0.3 or --op tint.points=1,1,1,1,1,1,1,1")
    p.add_argument("--plan", help="plan.json (from `lbie edit --plan-out` or `lbie fit`)")
    p.add_argument("--mask", help="grey PNG (white = edit) limiting every --op to a region")
    p.add_argument("-o", "--out", required=True)
    p.add_argument("--quality", type=int, default=92)
    p.set_defaults(func=cmd_apply)


def op_to_dict(op) -> dict:
    def par(p):
        return {"name": p.name, "label": p.label, "kind": p.kind, "min": p.min, "max": p.max,
                "default": p.default, "step": p.step, "unit": p.unit, "length": p.length,
                "choices": list(p.choices)}
    return {"name": op.name, "label": op.label, "description": op.description,
            "family": op.family, "local": op.can_be_local, "geometric": op.geometric,
            "differentiable": op.differentiable, "params": [par(p) for p in op.params]}


def cmd_ops(args) -> int:
    ops = all_ops()
    if args.json:
        print(json.dumps([op_to_dict(o) for o in ops], indent=2))
        return 0
    for op in ops:
        where = ("needs a region" if op.extra.get("needs_mask")
                 else "local or global" if op.can_be_local else "global")
        print(f"{op.name:14s} {op.label} ({where}): {op.description}")
        for p in op.params:
            rng = (f"one of {', '.join(p.choices)}" if p.kind == "choice"
                   else f"{p.min:g}..{p.max:g}{(' ' + p.unit) if p.unit else ''}")
            size = f" x{p.length}" if p.length > 1 else ""
            default = p.default
            if isinstance(default, tuple | list):
                default = (f"all {default[0]:g}" if len(set(default)) == 1
                           else ",".join(f"{v:g}" for v in default))
            print(f"    {p.name}{size}: {p.label}, {rng}, default {default}")
    return 0


def parse_op_args(specs: list[str]) -> list[Step]:
    """`NAME=VALUE` sets the op's first parameter; `NAME.PARAM=VALUE` a named one.
    Consecutive specs of the same op merge into one step."""
    steps: list[Step] = []
    for spec in specs:
        if "=" not in spec:
            raise UserError(f"--op {spec!r}: expected NAME=VALUE or NAME.PARAM=VALUE")
        key, value = spec.split("=", 1)
        name, _, pname = key.partition(".")
        op = get_op(name.strip())
        if not op.params:
            params = {}
        else:
            par = op.param(pname) if pname else op.params[0]
            raw: object = value
            if par.kind in ("float", "int"):
                try:
                    raw = float(value)
                except ValueError:
                    raise UserError(f"--op {spec!r}: {value!r} is not a number") from None
            params = {par.name: par.validate(raw)}
        if steps and steps[-1].op == op.name and pname:
            steps[-1].params.update(params)
        else:
            steps.append(Step(op.name, params))
    return steps


def cmd_apply(args) -> int:
    if not args.op and not args.plan:
        raise UserError("give at least one --op NAME=VALUE or a --plan plan.json")
    img = load(args.image)
    steps = list(Plan.load(args.plan).steps) if args.plan else []
    op_steps = parse_op_args(args.op)
    if args.mask:
        from lbie_desktop.core.plan import mask_from_png

        try:
            mask = mask_from_png(Path(args.mask).read_bytes())
        except OSError as exc:
            raise UserError(f"cannot read mask {args.mask}: {exc.strerror or exc}") from None
        op_steps = [s.copy(mask=mask) for s in op_steps]
    steps += op_steps
    out = save_result(img, Session(img).renderer, steps, args.out, args.quality)
    print(f"saved {out}")
    return 0
