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
