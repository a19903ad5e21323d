"""Core of the app's "Shapes" sample (no Qt): a CoSaL scene, a typed description, the result.

The GUI opens `sample_scene()`, lets the person type sentences, and shows `colorize()`'s RGB
image plus the per-step attention over their sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lbie_desktop.errors import MissingModelError
from lbie_desktop.paths import MODEL_CARDS
from lbie_desktop.research.cosal.figure import attention_per_step, colourise
from lbie_desktop.research.cosal.generator import CosalSet, generate
from lbie_desktop.research.cosal.text import decode, parse_description
from lbie_desktop.research.cosal.train import load


@dataclass
class ShapesResult:
    rgb: np.ndarray  # (H, W, 3) uint8 colourised scene
    sentences: list[str]  # the description as the model read it
    attention: np.ndarray  # (T, n_sentences): share of attention per step


def sample_scene(seed: int = 0) -> CosalSet:
    """One scene with a reference 6-direct description (its `caption`)."""
    return generate(1, 6, seed)


class ShapesColorizer:
    def __init__(self, weights: Path | None = None) -> None:
        path = weights or MODEL_CARDS / "cosal_improved.safetensors"
        if not path.exists():
            raise MissingModelError(
                f"CoSaL weights not found at {path}; run `lbie research cosal train`"
            )
        self.model, self.config, _ = load(path)

    def colorize(self, image: np.ndarray, description: str) -> ShapesResult:
        """image: (H, W) uint8 silhouettes on white, as made by the generator."""
        caption = parse_description(description)
        with torch.no_grad():
            att, pred = attention_per_step(self.model, image, caption)
        n = int((caption[:, 0] != 0).sum())
        return ShapesResult(colourise(pred), [decode(c) for c in caption[:n]], att[:, :n])
