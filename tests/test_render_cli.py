"""`lbie fit` and `lbie bench` from the command line."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from lbie_desktop.cli import main
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.render import Renderer


@pytest.fixture(autouse=True)
def _torch_single_threaded():
    # small images: torch's own threads cost more than they save on a shared machine
    from lbie_desktop.core.fast.threads import single_threaded_torch

    with single_threaded_torch():
        yield


def test_fit_writes_a_plan_that_apply_reproduces(tmp_path, coffee, capsys):
    src, tgt = tmp_path / "src.png", tmp_path / "tgt.png"
    Image.fromarray(coffee).save(src)
    target = Renderer(coffee).render([Step("brightness", {"amount": 0.25}),
                                      Step("saturation", {"amount": 0.5})], full=True)
    Image.fromarray(target).save(tgt)
    plan_path = tmp_path / "fit" / "plan.json"
    assert main(["fit", str(src), str(tgt), "--ops", "brightness,saturation",
                 "-o", str(plan_path)]) == 0
    plan = Plan.load(plan_path)
    assert [s.op for s in plan] == ["brightness", "saturation"]
    assert abs(plan.steps[0].params["amount"] - 0.25) < 0.05
    out = tmp_path / "out.png"
    assert main(["apply", str(src), "--plan", str(plan_path), "-o", str(out)]) == 0
    again = np.asarray(Image.open(out).convert("RGB"), dtype=np.int16)
    assert np.abs(again - target).mean() < 2
    assert "L1 distance" in capsys.readouterr().out


def test_fit_user_errors_exit_2(tmp_path, coffee, capsys):
    src = tmp_path / "src.png"
    Image.fromarray(coffee).save(src)
    assert main(["fit", str(src), str(src), "--ops", "nope", "-o", str(tmp_path / "p.json")]) == 2
    assert main(["fit", str(tmp_path / "missing.png"), str(src), "--ops", "brightness",
                 "-o", str(tmp_path / "p.json")]) == 2
    assert main(["fit", str(src), str(src), "--ops", "brightness", "--iterations", "0",
                 "-o", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("lbie: error") == 3


def test_bench_prints_the_figures(capsys):
    assert main(["bench", "--size", "480x320", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for words in ("photo:", "480x320", "cores:", "PIL ImageEnhance", "8-op global chain",
                  "ratio", "slider change", "max abs error"):
        assert words in out, words
    err_line = next(line for line in out.splitlines() if "max abs error" in line)
    assert "full 0/255" in err_line or "full 1/255" in err_line


def test_bench_bad_size_is_a_user_error(capsys):
    assert main(["bench", "--size", "huge"]) == 2
    assert "--size" in capsys.readouterr().err
