"""`lbie batch` (a recipe over many photos) and `lbie session ...` (session files, recipes,
crash recovery)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lbie_desktop.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("batch", help="apply a recipe to many photos",
                       description="Apply RECIPE (a recipe .json, or a .lbie session) to each "
                                   "photo; a photo that fails is reported and skipped.")
    b.add_argument("recipe")
    b.add_argument("photos", nargs="+", help="photos, or folders of photos")
    b.add_argument("-o", "--out", required=True, help="output folder (created if missing)")
    b.add_argument("--format", choices=["jpg", "png", "tif", "webp"],
                   help="output format (default: same as each input)")
    b.add_argument("--quality", type=int, default=92)
    b.set_defaults(func=cmd_batch)

    s = sub.add_parser("session", help="session files: info, export, recipe, recovery")
    ss = s.add_subparsers(dest="session_command", metavar="ACTION")
    info = ss.add_parser("info", help="list a session file's turns")
    info.add_argument("file")
    info.set_defaults(func=cmd_info)
    exp = ss.add_parser("export", help="render a session file's result to an image")
    exp.add_argument("file")
    exp.add_argument("-o", "--out", required=True)
    exp.add_argument("--quality", type=int, default=92)
    exp.add_argument("--overwrite-original", action="store_true",
                     help="allow replacing the session's original photo")
    exp.set_defaults(func=cmd_export)
    rec = ss.add_parser("recipe", help="export a session's edits as a recipe for `lbie batch`")
    rec.add_argument("file")
    rec.add_argument("-o", "--out", required=True)
    rec.set_defaults(func=cmd_recipe)
    lst = ss.add_parser("recoverable", help="list sessions left behind by a crash")
    lst.set_defaults(func=cmd_recoverable)
    rcv = ss.add_parser("recover", help="save a crashed session to a file and clear it")
    rcv.add_argument("id", help="session id (or a unique prefix) from `session recoverable`")
    rcv.add_argument("-o", "--out", required=True, help="where to save it (.lbie)")
    rcv.set_defaults(func=cmd_recover)
    bench = ss.add_parser("bench", help="time photo loading, autosave and reopening")
    bench.add_argument("--megapixels", type=float, default=12.0)
    bench.add_argument("--masks", type=int, default=2, help="soft full-resolution masks")
    bench.set_defaults(func=cmd_bench)
    s.set_defaults(func=lambda _a: (s.print_help(), 2)[1])


def cmd_batch(args) -> int:
    from lbie_desktop.core.batch import expand_inputs, run_batch
    from lbie_desktop.core.recipe import Recipe

    recipe = Recipe.load(args.recipe)
    for note in recipe.notes:
        print(f"note: {note}")
    if not recipe.steps:
        raise UserError(f"{Path(args.recipe).name} has no steps to apply")
    photos = expand_inputs(args.photos)
    if not photos:
        raise UserError("no photos found in the folders given")
    print(f"applying {len(recipe.steps)} step(s) to {len(photos)} photo(s): "
          + ", ".join(s.describe() for s in recipe.steps))
    start = time.monotonic()
    width = len(str(len(photos)))

    def progress(item) -> None:
        head = f"[{item.index:>{width}}/{item.total}] {100 * item.index // item.total:3d}%"
        if item.ok:
            print(f"{head} {item.source.name} -> {item.output} ({item.applied} step(s))")
        else:
            print(f"{head} {item.source.name}: error: {item.error}")
        for note in item.notes:
            print(f"{' ' * len(head)}   note: {note}")
        sys.stdout.flush()

    items = run_batch(recipe, photos, Path(args.out), quality=args.quality, fmt=args.format,
                      progress=progress)
    failed = [i for i in items if not i.ok]
    print(f"done in {time.monotonic() - start:.1f} s: {len(items) - len(failed)} saved, "
          f"{len(failed)} failed" + (": " + ", ".join(i.source.name for i in failed)
                                     if failed else ""))
    return 1 if len(failed) == len(items) else 0


def cmd_info(args) -> int:
    from lbie_desktop.core.session_file import open_session, read_info

    info = read_info(args.file)
    saved = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.saved))
    where = "embedded" if info.source_embedded else f"by reference: {info.source_path}"
    print(f"{Path(args.file).name}: session format {info.format}, saved {saved}"
          + (f" by lbie {info.app_version}" if info.app_version else ""))
    print(f"photo: {info.source_name} ({where})")
    try:
        session = open_session(args.file)
    except UserError as exc:  # e.g. the referenced photo moved: still list the requests
        print(f"note: {exc}")
        for i, r in enumerate(info.requests, 1):
            print(f"turn {i}: {r!r}")
        return 0
    from lbie_desktop.cli.common import describe

    for i, turn in enumerate(session.turns, 1):
        print(f"turn {i}: {turn.request!r}")
        for st in turn.plan:
            print(f"  {describe(st, why=False)}")
        for m in turn.messages:
            print(f"  note: {m}")
    if session.undone:
        print(f"undone (redo brings back): {', '.join(repr(t.request) for t in session.undone)}")
    for n in info.notes:
        print(f"note: {n}")
    return 0


def cmd_export(args) -> int:
    from lbie_desktop.core.imageio import save_image
    from lbie_desktop.core.session_file import open_session

    session = open_session(args.file)
    img = session.image
    result = session.current(full=True)
    alpha = img.alpha if img.alpha is not None and img.alpha.shape == result.shape[:2] else None
    out = save_image(args.out, result, alpha=alpha, quality=args.quality, exif=img.exif,
                     icc_profile=img.icc_profile, original=img.path,
                     overwrite_original=args.overwrite_original, original_sha256=img.sha256)
    print(f"saved {out} ({len(session.turns)} turn(s))")
    return 0


def cmd_recipe(args) -> int:
    from lbie_desktop.core.recipe import recipe_from_session
    from lbie_desktop.core.session_file import open_session

    recipe = recipe_from_session(open_session(args.file), name=Path(args.file).stem)
    for note in recipe.notes:
        print(f"note: {note}")
    out = recipe.save(args.out)
    print(f"saved {out}: " + (", ".join(s.describe() for s in recipe.steps) or "no steps"))
    return 0


def cmd_recoverable(_args) -> int:
    from lbie_desktop.core.autosave import find_recoverable

    found = find_recoverable()
    if not found:
        print("nothing to recover")
    for r in found:
        print(f"{r.session_id[:12]}  {r.description}")
    return 0


def cmd_recover(args) -> int:
    from lbie_desktop.core.autosave import discard, find_recoverable, recover
    from lbie_desktop.core.session_file import save_session

    matches = [r for r in find_recoverable() if r.session_id.startswith(args.id)]
    if len(matches) != 1:
        raise UserError(f"{'no' if not matches else 'more than one'} recoverable session "
                        f"matches {args.id!r}; `lbie session recoverable` lists them")
    session = recover(matches[0])
    out = save_session(session, args.out)
    discard(matches[0])
    print(f"saved {out} ({len(session.turns)} turn(s)); the autosave was cleared")
    return 0


def cmd_bench(args) -> int:
    """Figures for the I/O paths a person waits on (printed, never asserted)."""
    import os
    import tempfile

    import numpy as np
    from PIL import Image

    from lbie_desktop.core.autosave import Autosaver
    from lbie_desktop.core.imageio import load_image
    from lbie_desktop.core.plan import Plan, Step
    from lbie_desktop.core.session import Session
    from lbie_desktop.core.session_file import open_session, save_session
    from lbie_desktop.paths import sample_photo

    if not 0.1 <= args.megapixels <= 120:
        raise UserError("--megapixels must be between 0.1 and 120")
    with tempfile.TemporaryDirectory() as tmp:
        src = sample_photo()
        base = Image.open(src).convert("RGB") if src.exists() else \
            Image.fromarray(np.random.default_rng(0).integers(0, 255, (512, 768, 3), np.uint8))
        scale = (args.megapixels * 1e6 / (base.width * base.height)) ** 0.5
        size = (round(base.width * scale), round(base.height * scale))
        photo = Path(tmp) / "bench.jpg"
        base.resize(size).save(photo, quality=92)
        print(f"photo: {size[0]}x{size[1]} ({size[0] * size[1] / 1e6:.1f} MP) JPEG, "
              f"{photo.stat().st_size / 1e6:.1f} MB; {os.cpu_count()} CPU cores")
        t = time.perf_counter()
        session = Session(load_image(photo))
        print(f"load: {time.perf_counter() - t:.2f} s")
        h, w = session.image.rgb.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        saver = Autosaver(session, Path(tmp) / "autosave", auto=False)
        for k in range(args.masks):
            soft = np.exp(-(((yy - h / 2) / (h / 3)) ** 2 + ((xx - w * (k + 1) / (args.masks + 1))
                                                             / (w / 4)) ** 2))
            session.add_turn(f"local {k}", Plan([Step("saturation", {"amount": 0.3},
                                                      mask=soft, target="x")]))
        session.add_turn("global", Plan([Step("brightness", {"amount": 0.1})]))
        for label in ("first autosave (encodes masks)", "next autosave (masks cached)"):
            t = time.perf_counter()
            saver.save_now()
            print(f"{label}: {time.perf_counter() - t:.2f} s, "
                  f"{saver.path.stat().st_size / 1e6:.1f} MB")
        out = Path(tmp) / "bench.lbie"
        t = time.perf_counter()
        save_session(session, out)
        print(f"save .lbie with thumbnails: {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        open_session(out)
        print(f"reopen .lbie: {time.perf_counter() - t:.2f} s")
        saver.close()
    return 0
