"""The bad-image corpus (issue 9) through the open path and the CLI: every file opens or is
refused with a readable message naming it; nothing crashes or hangs."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from lbie_desktop.cli import main
from lbie_desktop.core.imageio import load_image
from lbie_desktop.errors import UserError

sys.path.insert(0, str(Path(__file__).parent))
import bad_images  # noqa: E402
from limits import time_limit  # noqa: E402

LIMIT_S = 20




@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("bad-images")
    return folder, bad_images.build(folder)


def _open(path: Path) -> str:
    with time_limit(LIMIT_S):
        try:
            img = load_image(path)
        except UserError as exc:
            msg = str(exc)
            assert msg and path.name in msg, f"message should name the file: {msg!r}"
            return "refused"
    assert img.rgb.ndim == 3 and img.rgb.shape[2] == 3 and img.rgb.size > 0
    return "opened"


def test_corpus_is_big_enough(corpus):
    assert len(corpus[1]) >= 200


def test_every_file_opens_or_is_refused_clearly(corpus):
    folder, kinds = corpus
    counts = {"opened": 0, "refused": 0}
    for name, kind in kinds.items():
        counts[_open(folder / name)] += 1
        if kind in ("zero bytes", "text with image extension", "decompression bomb"):
            with pytest.raises(UserError):
                load_image(folder / name)
    print(f"\nbad-image corpus: {len(kinds)} files, {counts['opened']} opened, "
          f"{counts['refused']} refused clearly, 0 failed")
    assert counts["opened"] > 60 and counts["refused"] > 20


def test_cli_never_crashes_on_the_corpus(corpus, tmp_path, capsys):
    folder, kinds = corpus
    for name in sorted(kinds)[::3]:  # a third of the corpus through the whole CLI path
        with time_limit(LIMIT_S):
            code = main(["apply", str(folder / name), "--op", "brightness=0.2",
                         "-o", str(tmp_path / f"{Path(name).stem}.png")])
        err = capsys.readouterr().err
        assert code in (0, 2), name
        if code == 2:
            assert "error:" in err and "Traceback" not in err


def test_orientations_come_out_upright(corpus):
    folder, _ = corpus
    expected = np.asarray(bad_images._base().crop((0, 0, 64, 40)), dtype=np.float32)
    for o in range(1, 9):
        img = load_image(folder / f"orientation-{o}.jpg").rgb.astype(np.float32)
        assert img.shape == expected.shape, o
        assert np.abs(img - expected).mean() < 6, f"orientation {o} shown wrongly"


def test_special_modes_keep_what_matters(corpus):
    folder, _ = corpus
    assert load_image(folder / "gray16.png").rgb.dtype == np.uint16
    assert load_image(folder / "rgba.png").alpha is not None
    assert load_image(folder / "palette-transparent.png").alpha is not None
    assert load_image(folder / "animated.gif").notes
    cmyk = load_image(folder / "cmyk.jpg").rgb.astype(float)
    ok = load_image(folder / "ok.jpg").rgb.astype(float)
    assert np.abs(cmyk - ok).mean() < 12  # CMYK converted to the same colours, not inverted


@pytest.mark.slow
def test_a_100_megapixel_photo_opens_and_previews(tmp_path):
    from lbie_desktop.core.session import Session

    path = bad_images.build_huge(tmp_path, 100)
    with time_limit(120):
        try:
            img = load_image(path)
        except UserError as exc:  # refusing is allowed, with a message that says why
            assert "MP" in str(exc)
            return
        preview = Session(img).current()
    assert max(preview.shape[:2]) <= 2048
