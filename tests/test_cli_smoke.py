from pathlib import Path

import numpy as np
from PIL import Image

from lbie_desktop.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "sample.jpg"


def test_edit_brighten_makes_it_brighter(tmp_path):
    out = tmp_path / "out.jpg"
    assert main(["edit", str(SAMPLE), "brighten it", "-o", str(out)]) == 0
    before = np.asarray(Image.open(SAMPLE), dtype=np.float32).mean()
    after = np.asarray(Image.open(out), dtype=np.float32).mean()
    assert after > before + 5


def test_unknown_op_is_a_clear_error(tmp_path, capsys):
    assert main(["apply", str(SAMPLE), "--op", "nope=1", "-o", str(tmp_path / "x.jpg")]) == 2
    assert "unknown operation" in capsys.readouterr().err


def test_refuses_to_overwrite_original(tmp_path, capsys):
    src = tmp_path / "p.jpg"
    src.write_bytes(SAMPLE.read_bytes())
    assert main(["apply", str(src), "--op", "brightness=0.2", "-o", str(src)]) == 2
    assert "overwrite" in capsys.readouterr().err
    assert src.read_bytes() == SAMPLE.read_bytes()


def test_transparent_background_fill_is_saved_as_png_alpha(tmp_path):
    mask = np.zeros((512, 512), np.uint8)
    mask[:, :200] = 255
    Image.fromarray(mask).save(tmp_path / "m.png")
    out = tmp_path / "t.png"
    assert main(["apply", str(SAMPLE), "--op", "color_bg.mode=transparent",
                 "--mask", str(tmp_path / "m.png"), "-o", str(out)]) == 0
    a = np.asarray(Image.open(out))
    assert a.shape == (512, 512, 4)
    assert a[:, :190, 3].max() == 0 and a[:, 210:, 3].min() == 255


def test_a_reader_that_leaves_early_gets_no_traceback():
    """`lbie ops --json | head -1`: the closed pipe ends the command quietly."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "import sys; from lbie_desktop.cli import main; sys.exit(main())",
                             "ops", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err
