"""CoSaL networks: shapes of outputs, termination probabilities, and that training learns."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from lbie_desktop.research.cosal.generator import generate
from lbie_desktop.research.cosal.improved_model import ImprovedModel
from lbie_desktop.research.cosal.paper_model import PaperModel
from lbie_desktop.research.cosal.train import TrainConfig, load, score, train


@pytest.fixture(scope="module")
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    d = generate(3, 4, seed=5)
    return torch.from_numpy(d.image).float().div(255)[:, None], torch.from_numpy(d.caption)


@pytest.mark.parametrize(
    "model", [PaperModel(4), PaperModel(1), PaperModel(1, attention=False), ImprovedModel(steps=2)]
)
def test_outputs_cover_the_image(model, batch) -> None:
    model.eval()
    out = model(*batch)
    assert out["logits"].shape == (3, 4, 48, 48)
    if "attention" in out:
        att = out["attention"]
        assert torch.allclose(att.sum(2), torch.ones(()), atol=1e-5)  # softmax over sentences


def test_stop_probabilities_sum_to_one(batch) -> None:
    out = PaperModel(4).eval()(*batch)
    assert out["p_stop"].shape[1] == 4
    assert torch.allclose(out["p_stop"].sum(1), torch.ones(()), atol=1e-5)


def test_padding_sentences_get_no_attention(batch) -> None:
    image, caption = batch
    caption = caption.clone()
    caption[:, 5:] = 0
    for model in (PaperModel(2).eval(), ImprovedModel(steps=2).eval()):
        att = model(image, caption)["attention"]
        assert float(att[:, :, 5:].max().detach()) < 1e-6


def test_bilinear_upsampler_starts_as_bilinear() -> None:
    m = PaperModel(1)
    x = torch.ones(1, 4, 6, 6)
    y = m.upsample(x)
    assert torch.allclose(y[0, :, 8:40, 8:40], torch.ones(()), atol=1e-5)  # flat stays flat


@pytest.mark.parametrize("arch", ["paper", "improved"])
def test_short_training_improves_the_iou(arch: str, tmp_path) -> None:
    torch.set_num_threads(1)
    cfg = TrainConfig(
        arch=arch, direct=8, steps=2, train_size=48, epochs=25, minutes=2, batch=16, lr=5e-3
    )
    data = generate(48, 8, seed=0)
    torch.manual_seed(cfg.seed)
    from lbie_desktop.research.cosal.train import build

    before = score(build(cfg), data).mean()
    result = train(cfg, tmp_path / "w.safetensors", log=lambda m: None)
    model, loaded_cfg, meta = load(tmp_path / "w.safetensors")
    after = score(model, data).mean()
    assert loaded_cfg == cfg and meta["steps"] == result["steps"]
    # All-background scores ~0.08 (background IoU / 10); a model that found the shapes and
    # some colours on its own training images must do clearly better than it did untrained.
    assert after > max(before, 0.08) + 0.1, (before, after)


def test_cli_train_eval_figure(tmp_path, capsys) -> None:
    from lbie_desktop.cli import main

    def lbie(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    code, _, err = lbie("research", "cosal", "eval", "--models", str(tmp_path))
    assert code == 2 and "no cosal_" in err
    code, _, err = lbie("research", "cosal", "train", "--no-attention", "--steps", "4")
    assert code == 2 and "--steps 1" in err
    w = tmp_path / "cosal_improved.safetensors"
    code, _, err = lbie("research", "cosal", "train", "--arch", "improved", "--direct", "6", "--steps", "2",
                        "--train-size", "16", "--epochs", "1", "--batch", "8", "--out", str(w))  # fmt: skip
    assert code == 0, err
    code, out, _ = lbie(
        "research", "cosal", "eval", "--models", str(tmp_path), "--test-size", "8", "--json"
    )
    grid = json.loads(out)
    assert set(grid) == {"4", "6", "8"} and grid["6"]["paper"] is None
    assert 0.0 <= grid["6"]["improved"] <= 1.0
    png = tmp_path / "fig.png"
    code, _, _ = lbie("research", "cosal", "figure", str(png), "--weights", str(w), "--count", "2")
    assert code == 0 and png.stat().st_size > 1000


def test_shapes_demo_reads_a_typed_description(tmp_path) -> None:
    from lbie_desktop.research.cosal.demo import ShapesColorizer, sample_scene

    cfg = TrainConfig(arch="improved", direct=6, steps=2, train_size=8, epochs=1, batch=8)
    train(cfg, tmp_path / "w.safetensors", log=lambda m: None)
    scene = sample_scene(3)
    res = ShapesColorizer(tmp_path / "w.safetensors").colorize(
        scene.image[0], "diamond is red. The shape left of circle is blue"
    )
    assert res.rgb.shape == (48, 48, 3)
    assert res.sentences == ["diamond is red", "the shape left of circle is blue"]
    assert res.attention.shape == (2, 2) and np.allclose(res.attention.sum(1), 1.0, atol=1e-4)


def test_checkpoints_leave_weights_before_the_run_ends(tmp_path, monkeypatch) -> None:
    import lbie_desktop.research.cosal.train as train_mod

    saved: list[dict] = []
    real_save = train_mod.save

    def spy(model, cfg, result, path) -> None:
        real_save(model, cfg, result, path)
        saved.append(load(path)[2])  # what a reader of the file would see at that moment

    monkeypatch.setattr(train_mod, "save", spy)
    cfg = TrainConfig(arch="paper", direct=6, steps=1, train_size=16, epochs=2, batch=8,
                      checkpoint_every=2)  # fmt: skip
    train(cfg, tmp_path / "w.safetensors", log=lambda m: None)
    assert [r.get("partial", False) for r in saved] == [True, True, False]
    assert [r["steps"] for r in saved] == [2, 4, 4]


def test_cli_warm_start_and_ablation_rows(tmp_path, capsys) -> None:
    from safetensors.torch import load_file

    from lbie_desktop.cli import main

    def lbie(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    w = tmp_path / "cosal_paper_t1_concat_d4.safetensors"
    tiny = ("--train-size", "16", "--epochs", "1", "--batch", "8")
    code, _, err = lbie("research", "cosal", "train", "--direct", "4", "--steps", "1",
                        "--no-attention", *tiny, "--out", str(w))  # fmt: skip
    assert code == 0, err
    # Continuing with a vanishing learning rate keeps the loaded weights, not fresh ones.
    w2 = tmp_path / "continued.safetensors"
    code, _, err = lbie("research", "cosal", "train", "--direct", "4", "--steps", "1",
                        "--no-attention", *tiny, "--lr", "1e-12", "--init", str(w),
                        "--out", str(w2))  # fmt: skip
    assert code == 0, err
    before, after = load_file(str(w)), load_file(str(w2))
    assert all(torch.allclose(before[k], after[k], atol=1e-6) for k in before)
    code, _, err = lbie("research", "cosal", "train", "--arch", "improved", "--init", str(w))
    assert code == 2 and "arch=paper" in err
    code, _, err = lbie("research", "cosal", "train", "--init", str(tmp_path / "none"))
    assert code == 2 and "not found" in err

    w2.unlink()
    code, out, _ = lbie("research", "cosal", "eval", "--models", str(tmp_path), "--direct", "4",
                        "--test-size", "8", "--json")  # fmt: skip
    row = json.loads(out)["4"]
    assert row["paper"] is None and row["improved"] is None and row["paper_t1_attention"] is None
    assert 0.0 <= row["paper_t1_no_attention"] <= 1.0
    code, out, _ = lbie("research", "cosal", "eval", "--models", str(tmp_path), "--direct", "4",
                        "--test-size", "8")  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("ours: paper arch, T=1, no att"))
    assert f"{row['paper_t1_no_attention']:.4f}" in line
