"""The bad-image corpus (issue 9) through the editor's open path: every file either opens
(the canvas shows it) or is refused with a message naming it; the window stays usable."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tests.gui.conftest import WAIT_MS, shown, wait_idle

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bad_images  # noqa: E402


def test_every_corpus_file_opens_or_is_refused_in_the_window(qtbot, window, tmp_path):
    kinds = bad_images.build(tmp_path / "corpus")
    errors: list[str] = []
    window.errorShown.connect(errors.append)
    counts = {"opened": 0, "refused": 0}
    for name in sorted(kinds)[::2]:  # half the corpus keeps the GUI suite quick
        path = tmp_path / "corpus" / name
        errors.clear()
        window.open_image(path)
        qtbot.wait(1)
        wait_idle(qtbot, window)
        if errors:
            assert name in errors[-1], errors[-1]
            counts["refused"] += 1
        else:
            assert window.session is not None and window.session.image.path == path, name
            assert shown(window).size > 0
            counts["opened"] += 1
    print(f"\nGUI open path: {sum(counts.values())} corpus files, {counts['opened']} opened, "
          f"{counts['refused']} refused clearly, 0 crashed")
    assert counts["opened"] > 30 and counts["refused"] > 10
    # still usable: a good photo opens afterwards
    good = tmp_path / "corpus" / "ok.png"
    window.open_image(good)
    qtbot.waitUntil(lambda: window.session is not None and window.session.image.path == good,
                    timeout=WAIT_MS)
    assert np.asarray(shown(window)).mean() > 0
