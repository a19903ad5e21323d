"""Optional open-vocabulary models from local folders the user points to, never downloaded:
- CLIPSeg for phrases no other source knows (`LBIE_CLIPSEG_DIR`, or `clipseg_dir` in
  settings.json in the data folder);
- SAM for click-to-segment (`LBIE_SAM_DIR`, or `sam_dir`): refine.segment_at, which the
  editor's click tool calls, uses it instead of the similar-colour flood fill.
Each folder must hold a transformers checkpoint: config, weights and processor files."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from lbie_desktop import paths
from lbie_desktop.errors import UserError

# settings.json key -> the environment variable that overrides it
ENV_FOR_KEY = {"clipseg_dir": "LBIE_CLIPSEG_DIR", "sam_dir": "LBIE_SAM_DIR"}


def _settings_path() -> Path:
    return paths.data_dir() / "settings.json"


def _settings() -> dict:
    try:
        data = json.loads(_settings_path().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _folder(key: str) -> Path | None:
    d = os.environ.get(ENV_FOR_KEY[key]) or _settings().get(key)
    return Path(d) if d else None


def set_folder(key: str, folder: str | Path | None) -> None:
    """Remember the folder for `clipseg_dir` or `sam_dir` in settings.json (None or "" forgets
    it). Written atomically, so a crash mid-write keeps the previous settings."""
    from lbie_desktop.core.atomic import atomic_write_bytes

    if key not in ENV_FOR_KEY:
        raise ValueError(f"unknown open-vocabulary folder key: {key}")
    data = _settings()
    if folder:
        data[key] = str(folder)
    else:
        data.pop(key, None)
    _settings_path().parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(_settings_path(), json.dumps(data, indent=2).encode())


def folder_problem(folder: str | Path) -> str:
    """Why a folder can't hold a checkpoint ("" when it looks usable): checked when chosen,
    so the person hears it in the settings rather than at the first click."""
    d = Path(folder)
    if not d.is_dir():
        return "no such folder"
    if not (d / "config.json").exists():
        return "no config.json here (a transformers checkpoint folder is needed)"
    return ""


def model_dir() -> Path | None:
    return _folder("clipseg_dir")


def configured() -> bool:
    d = model_dir()
    return d is not None and not folder_problem(d)


def sam_dir() -> Path | None:
    return _folder("sam_dir")


def sam_configured() -> bool:
    d = sam_dir()
    return d is not None and not folder_problem(d)


# kind -> (processor class, model class) in transformers
_CLASSES = {"CLIPSeg": ("CLIPSegProcessor", "CLIPSegForImageSegmentation"),
            "SAM": ("SamProcessor", "SamModel")}


@lru_cache(maxsize=3)
def _load(kind: str, folder: str):
    """(processor, model in eval mode) from a local checkpoint folder; never the hub."""
    import transformers

    proc_cls, model_cls = (getattr(transformers, n) for n in _CLASSES[kind])
    try:
        processor = proc_cls.from_pretrained(folder, local_files_only=True)
        model = model_cls.from_pretrained(folder, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise UserError(f"could not load {kind} from {folder}: {exc}") from exc
    return processor, model.eval()


def segment(image_rgb: np.ndarray, phrase: str) -> np.ndarray:
    import cv2
    import torch

    d = model_dir()
    if d is None:
        raise UserError("no CLIPSeg folder configured (Settings, or LBIE_CLIPSEG_DIR)")
    processor, model = _load("CLIPSeg", str(d))
    with torch.inference_mode():
        inputs = processor(text=[phrase], images=[image_rgb[..., :3]], return_tensors="pt",
                           padding=True)
        logits = model(**inputs).logits
    prob = torch.sigmoid(logits.reshape(-1, *logits.shape[-2:])[0]).numpy().astype(np.float32)
    h, w = image_rgb.shape[:2]
    return cv2.resize(prob, (w, h), interpolation=cv2.INTER_LINEAR)


def click_segment(image_rgb: np.ndarray, x: int, y: int) -> np.ndarray | None:
    """SAM's mask for a click at (x, y): of its three proposals, the one it rates best that
    contains the click; None when none does (the caller falls back to colour regions)."""
    import torch

    d = sam_dir()
    if d is None:
        raise UserError("no SAM folder configured (Settings, or LBIE_SAM_DIR)")
    processor, model = _load("SAM", str(d))
    rgb = np.ascontiguousarray(image_rgb[..., :3])
    with torch.inference_mode():
        inputs = processor(images=rgb, input_points=[[[float(x), float(y)]]],
                           return_tensors="pt")
        out = model(**inputs, multimask_output=True)
        masks = processor.image_processor.post_process_masks(
            out.pred_masks, inputs["original_sizes"], inputs["reshaped_input_sizes"])[0][0]
    scores = out.iou_scores[0, 0].tolist()
    for k in sorted(range(len(scores)), key=lambda i: -scores[i]):
        m = masks[k].numpy()
        if m[int(y), int(x)]:
            return m.astype(np.float32)
    return None
