"""`python -m lbie_desktop.gui.screenshots OUTDIR`: render the editor's main states to images
(for the README and for looking at changes without a screen).

Drives the real window offscreen with the real language pipeline: empty, after a request,
editing a region, split before/after, the light theme, a grounded local request on the
astronaut, the Shapes (CoSaL) sample and the model packs dialog; at 1280x800 unless --size.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lbie_desktop.gui.screenshots")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--photo", default=None, help="default: resources/rocket.jpg")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--request", default="make it warmer")
    parser.add_argument("--local-request", default="make the background black and white")
    parser.add_argument("--format", default="jpg", choices=("jpg", "png"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["LBIE_DATA_DIR"] = tempfile.mkdtemp(prefix="lbie-shots-")
    from PySide6.QtCore import QEventLoop

    from lbie_desktop.gui.app import build_app
    from lbie_desktop.paths import RESOURCES

    app = build_app()
    from lbie_desktop.gui import commands as cmd
    from lbie_desktop.gui.main_window import MainWindow

    width, height = (int(v) for v in args.size.lower().split("x"))
    args.outdir.mkdir(parents=True, exist_ok=True)
    w = MainWindow()
    w.set_theme("dark")
    w.resize(width, height)
    w.show()

    def settle(cond=lambda: True, timeout: float = 120.0) -> None:
        t0 = time.perf_counter()
        while (not cond() or w.busy) and time.perf_counter() - t0 < timeout:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        for _ in range(5):
            app.processEvents()

    def save(name: str) -> None:
        path = args.outdir / f"{name}.{args.format}"
        w.grab().save(str(path), None, 88 if args.format == "jpg" else -1)
        print(path)

    def grab(widget, name: str) -> None:
        for _ in range(5):
            app.processEvents()
        path = args.outdir / f"{name}.{args.format}"
        widget.grab().save(str(path), None, 88 if args.format == "jpg" else -1)
        print(path)

    w.open_image(args.photo or RESOURCES / "rocket.jpg")
    settle(lambda: w.session is not None)
    save("empty")
    w.request_edit.set_text(args.request)
    w.request_edit.submit()
    settle(lambda: not w.model_runner.busy)
    w.add_step("contrast")
    sid = w.draft.steps[-1].id
    w.undo_stack.push(cmd.SetParamsCommand(w.draft, sid, {"amount": 0.25}))
    settle()
    save("request")
    # a local step painted by hand: desaturate a disc
    w.add_step("saturation")
    sid = w.draft.steps[-1].id
    w.undo_stack.push(cmd.SetParamsCommand(w.draft, sid, {"amount": -1.0}))
    w.edit_mask(sid)
    m = np.zeros_like(w.draft.get(sid).mask)
    h, ww = m.shape
    yy, xx = np.mgrid[:h, :ww]
    m[((xx - ww * 0.5) ** 2 + (yy - h * 0.45) ** 2) < (min(h, ww) * 0.25) ** 2] = 1.0
    w.undo_stack.push(cmd.SetMaskCommand(w.draft, sid, w.draft.get(sid).mask, m))
    settle()
    save("mask")
    w.leave_mask_edit()
    w.apply_steps()
    settle()
    w.act_split.setChecked(True)
    w.canvas.set_split(True)
    settle()
    save("split")
    w.set_theme("light")
    settle()
    save("light")
    w.set_theme("dark")
    # a request that needs grounding: its step shows the found region as an overlay
    w.act_split.setChecked(False)
    w.canvas.set_split(False)
    w.open_image(RESOURCES / "sample.jpg")
    settle(lambda: w.session is not None)
    w.request_edit.set_text(args.local_request)
    w.request_edit.submit()
    settle(lambda: not w.model_runner.busy)
    local = [s for s in w.draft.steps if s.mask is not None]
    if local:
        w.edit_mask(local[0].id)
        settle()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 0.2:  # the panel scrolls the card into view soon after
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    save("local")
    if local:
        w.leave_mask_edit()
    # File > Open Sample > Shapes (CoSaL): a description coloured, with attention per step
    w.sample_menu.actions()[1].trigger()
    dlg = w.shapes_dialog
    dlg.load_scene(1)
    dlg.use_reference()
    dlg.colorize()
    settle(lambda: not dlg.busy and dlg.result is not None)
    grab(dlg, "shapes")
    dlg.close()
    from lbie_desktop.gui.dialogs.packs import PacksDialog

    packs = PacksDialog(w)
    packs.show()
    settle()
    grab(packs, "packs")
    packs.close()
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
