"""A self-test a packaged build runs (`lbie-desktop --self-test`, `lbie selftest`): the bundled
sample photo goes through understanding, grounding and rendering, is exported as JPEG, read
back and checked. Every check prints a line; the first failure raises SelfTestError."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lbie_desktop.errors import UserError

REQUEST = "brighten the sky a bit and increase the contrast"


class SelfTestError(RuntimeError):
    pass


def _check(ok: bool, what: str, log: Callable[[str], None]) -> None:
    log(f"[{'ok' if ok else 'FAIL'}] {what}")
    if not ok:
        raise SelfTestError(what)


def run_self_test(out_dir: str | Path | None = None, log: Callable[[str], None] = print,
                  request: str = REQUEST) -> Path:
    from lbie_desktop.core.imageio import load_image, save_image
    from lbie_desktop.core.session import Session
    from lbie_desktop.dialogue import apply_outcome, interpret
    from lbie_desktop.paths import sample_photo

    t0 = time.perf_counter()
    img = load_image(sample_photo())
    _check(img.rgb.ndim == 3 and img.rgb.shape[2] == 3, f"sample photo loads ({img.size[0]}x"
           f"{img.size[1]})", log)
    session = Session(img)
    t1 = time.perf_counter()
    outcome = interpret(request, session)
    t2 = time.perf_counter()
    ops = [s.op for s in outcome.plan]
    _check(bool(ops), f"request understood in {t2 - t1:.2f} s: {', '.join(ops)}", log)
    for s in outcome.plan:
        if s.local:
            log(f"       {s.op} on “{s.target}”: "
                f"{'mask ' + s.mask_note if s.mask is not None else 'no mask: ' + s.mask_note}")
    apply_outcome(session, request, outcome)
    result = session.current(full=True)
    _check(result.shape == img.rgb.shape and not np.array_equal(result, img.rgb),
           "rendered at full resolution and changed the photo", log)
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="lbie-selftest-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    out = save_image(out_dir / "selftest.jpg", result, quality=90)
    back = load_image(out)
    diff = float(np.abs(back.rgb.astype(np.float32) - result.astype(np.float32)).mean())
    _check(back.rgb.shape == result.shape and diff < 4.0,
           f"exported JPEG reads back ({out}, mean abs diff {diff:.2f})", log)
    try:
        load_image(out_dir / "missing.jpg")
        _check(False, "a missing file is refused", log)
    except UserError:
        _check(True, "a missing file is refused with a clear message", log)
    log(f"self-test passed in {time.perf_counter() - t0:.1f} s")
    return out
