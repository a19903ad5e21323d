from lbie_desktop.understanding.evaluate import micro_macro
from lbie_desktop.understanding.labels import to_paper_labels


def test_micro_macro_f1_by_hand() -> None:
    true = [{"brightness", "contrast"}, {"crop"}, set()]
    pred = [{"brightness"}, {"crop", "hue"}, {"hue"}]
    micro, macro, per = micro_macro(true, pred, ["brightness", "contrast", "crop", "hue"])
    # tp=2 (brightness, crop), fp=2 (hue x2), fn=1 (contrast)
    assert abs(micro - 4 / 7) < 1e-9
    assert per == {"brightness": 1.0, "contrast": 0.0, "crop": 1.0, "hue": 0.0}
    assert abs(macro - 0.5) < 1e-9


def test_lightness_merges_into_brightness_for_the_paper_labels() -> None:
    assert to_paper_labels({"lightness", "denoise"}) == {"brightness"}
    micro, _, _ = micro_macro([{"lightness"}], [{"brightness"}], ["brightness"], paper=True)
    assert micro == 1.0


def test_thresholds_are_one_shared_value_unless_asked_per_op() -> None:
    import numpy as np

    from lbie_desktop.understanding.labels import MODEL_OPS
    from lbie_desktop.understanding.train import calibrate_thresholds

    rng = np.random.default_rng(0)
    y = (rng.random((400, len(MODEL_OPS))) < 0.3).astype(np.float32)
    p = np.clip(y * 0.5 + rng.random(y.shape) * 0.5, 0, 1)
    p[:, 0] = np.clip(y[:, 0] * 0.2 + rng.random(400) * 0.4, 0, 1)  # op 0 runs low
    shared = calibrate_thresholds(p, y, MODEL_OPS)
    assert len(set(shared.values())) == 1
    nudged = calibrate_thresholds(p, y, MODEL_OPS, per_op=True)
    assert nudged[MODEL_OPS[0]] < shared[MODEL_OPS[0]]


def test_editor_agreement_counts_every_ordered_pair_of_outputs_of_one_input(tmp_path) -> None:
    import json

    from lbie_desktop.understanding.evaluate import editor_agreement

    def rec(inp: str, *ops: str) -> dict:
        return {"input": inp, "operator": {o: {"local": False, "ids": []} for o in ops}}

    # photo a: two editors, one brightened + contrast, one brightened (lightness = brightness
    # on the paper's labels); photo b has one output only and counts for nothing
    (tmp_path / "train.json").write_text(json.dumps(
        [rec("a", "brightness", "contrast"), rec("a", "lightness"), rec("b", "crop")]))
    (tmp_path / "val.json").write_text(json.dumps([rec("c", "hue"), rec("c", "hue")]))
    f1, n = editor_agreement(tmp_path)
    # a: (b,c)->(b): tp 1 fn 1; (b)->(b,c): tp 1 fp 1; c: twice tp 1
    assert n == 4
    assert abs(f1 - 2 * 4 / (2 * 4 + 1 + 1)) < 1e-9
