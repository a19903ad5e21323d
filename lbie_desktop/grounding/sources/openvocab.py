"""Optional open-vocabulary segmentation: a CLIPSeg checkpoint in a local folder the user
points to (`LBIE_CLIPSEG_DIR`, or `clipseg_dir` in settings.json in the data folder).
Nothing is downloaded: the folder must hold config, weights and processor files."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from lbie_desktop import paths
from lbie_desktop.errors import UserError


def model_dir() -> Path | None:
    d = os.environ.get("LBIE_CLIPSEG_DIR")
    if not d:
        settings = paths.data_dir() / "settings.json"
        if settings.exists():
            try:
                d = json.loads(settings.read_text()).get("clipseg_dir")
            except (ValueError, AttributeError):
                d = None
    return Path(d) if d else None


def configured() -> bool:
    d = model_dir()
    return bool(d and (d / "config.json").exists())


@lru_cache(maxsize=2)
def _load(folder: str):
    from transformers import CLIPSegForImageSegmentation, CLIPSegProcessor

    try:
        processor = CLIPSegProcessor.from_pretrained(folder, local_files_only=True)
        model = CLIPSegForImageSegmentation.from_pretrained(folder, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise UserError(f"could not load CLIPSeg from {folder}: {exc}") from exc
    return processor, model.eval()


def segment(image_rgb: np.ndarray, phrase: str) -> np.ndarray:
    import cv2
    import torch

    d = model_dir()
    if d is None:
        raise UserError("no CLIPSeg folder configured (set LBIE_CLIPSEG_DIR)")
    processor, model = _load(str(d))
    with torch.inference_mode():
        inputs = processor(text=[phrase], images=[image_rgb[..., :3]], return_tensors="pt",
                           padding=True)
        logits = model(**inputs).logits
    prob = torch.sigmoid(logits.reshape(-1, *logits.shape[-2:])[0]).numpy().astype(np.float32)
    h, w = image_rgb.shape[:2]
    return cv2.resize(prob, (w, h), interpolation=cv2.INTER_LINEAR)
