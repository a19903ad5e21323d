"""`lbie edit`: a scripted (multi-turn) language editing session from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from lbie_desktop.cli.common import describe, load, save_result


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("edit", help="edit a photo with one or more requests (one per turn)",
                       description="Each request is one turn of a session, so follow-ups "
                                   "work: lbie edit p.jpg 'brighten it' 'a bit more' -o out.jpg")
    p.add_argument("image")
    p.add_argument("requests", nargs="+")
    p.add_argument("-o", "--out", required=True)
    p.add_argument("--plan-out", help="also write the resulting plan (JSON + mask PNGs)")
    p.add_argument("--session-out", help="also save the whole session (.lbie) to reopen later")
    p.add_argument("--masks-dir", help="write each local step's mask here")
    p.add_argument("--quality", type=int, default=92)
    p.set_defaults(func=cmd_edit)


def cmd_edit(args) -> int:
    from lbie_desktop.core.plan import Plan, mask_to_png
    from lbie_desktop.core.session import Session
    from lbie_desktop.dialogue import apply_outcome, interpret

    img = load(args.image)
    session = Session(img)
    for i, request in enumerate(args.requests, 1):
        outcome = interpret(request, session)
        apply_outcome(session, request, outcome)
        print(f"turn {i}: {request!r} -> {outcome.summary}")
        for m in outcome.messages:
            print(f"  note: {m}")
        for s in outcome.plan:
            print(f"  step: {describe(s)}")
    steps = session.steps()
    out = save_result(img, session.renderer, steps, args.out, args.quality)
    if args.plan_out:
        Path(args.plan_out).parent.mkdir(parents=True, exist_ok=True)
        Plan(steps).save(args.plan_out)
    if args.masks_dir:
        d = Path(args.masks_dir)
        d.mkdir(parents=True, exist_ok=True)
        for i, s in enumerate(steps):
            if s.mask is not None:
                (d / f"{i:02d}-{s.op}.png").write_bytes(mask_to_png(s.mask))
    if args.session_out:
        from lbie_desktop.core.session_file import save_session

        print(f"saved session {save_session(session, args.session_out)}")
    print(f"saved {out}")
    return 0
