"""`lbie edit`, `lbie parse`: language requests from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from lbie_desktop.cli.common import load, save_result
from lbie_desktop.core.render import Renderer


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("edit", help="edit a photo with one or more requests (one per turn)")
    p.add_argument("image")
    p.add_argument("requests", nargs="+")
    p.add_argument("-o", "--out", required=True)
    p.add_argument("--plan-out", help="also write the plan (JSON + mask PNGs)")
    p.add_argument("--masks-dir", help="write each local step's mask here")
    p.add_argument("--quality", type=int, default=92)
    p.set_defaults(func=cmd_edit)


def cmd_edit(args) -> int:
    from lbie_desktop.core.plan import Plan, mask_to_png
    from lbie_desktop.pipeline import plan_request

    img = load(args.image)
    renderer = Renderer(img.rgb)
    steps = []
    current = img.rgb
    for request in args.requests:
        turn = plan_request(request, current)
        for m in turn.messages:
            print(f"note: {m}")
        for s in turn.plan:
            state = "on" if s.enabled else "off"
            where = f" on “{s.target}”" if s.local else ""
            print(f"step: {s.op}{where} {s.params} ({state}, confidence {s.confidence:.2f})")
        steps += turn.plan.steps
        current = renderer.render(steps, full=True)
    out = save_result(img, current, args.out, args.quality)
    if args.plan_out:
        Plan(steps).save(args.plan_out)
    if args.masks_dir:
        d = Path(args.masks_dir)
        d.mkdir(parents=True, exist_ok=True)
        for i, s in enumerate(steps):
            if s.mask is not None:
                (d / f"{i:02d}-{s.op}.png").write_bytes(mask_to_png(s.mask))
    print(f"saved {out}")
    return 0
