"""Operation labels the understanding model predicts, and how GIER's names map onto them."""

from __future__ import annotations

# Ops the model learns from GIER (registry names). Order = column order of the weights.
MODEL_OPS: tuple[str, ...] = (
    "brightness", "lightness", "exposure", "contrast", "saturation", "hue", "tint", "sharpness",
    "inpaint_obj", "color_bg", "crop", "rotate", "flip", "gaussian_blur", "radial_blur",
    "denoise", "dehaze", "black_white",
)

# GIER spellings -> registry names; labels that are not registry ops are dropped.
GIER_TO_OP: dict[str, str] = {"gaussain_blur": "gaussian_blur", "black&white": "black_white"}
GIER_DROPPED: frozenset[str] = frozenset({"facet_blur", "edge", "deform_obj", "rotate_obj",
                                          "flip_obj"})

# The GIER paper's 9 prediction labels (lightness merged into brightness).
PAPER_LABELS: tuple[str, ...] = ("brightness", "contrast", "saturation", "hue", "inpaint_obj",
                                 "tint", "sharpness", "color_bg", "crop")


def to_paper_labels(ops: set[str] | frozenset[str]) -> set[str]:
    s = {"brightness" if o == "lightness" else o for o in ops}
    return s & set(PAPER_LABELS)
