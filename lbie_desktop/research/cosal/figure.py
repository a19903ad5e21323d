"""The paper's Figure 5 for our models: which sentence each inference step attends to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import nn

from lbie_desktop.research.cosal.generator import CosalSet
from lbie_desktop.research.cosal.text import COLOUR_RGB, decode

STEP_RGB = ((220, 30, 30), (230, 180, 0), (30, 160, 60), (60, 90, 220), (150, 60, 200), (0, 0, 0))


def colourise(label: np.ndarray) -> np.ndarray:
    lut = np.array([(255, 255, 255), *COLOUR_RGB], np.uint8)
    return lut[label]


@torch.no_grad()
def attention_per_step(
    model: nn.Module, image: np.ndarray, caption: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(T, K) attention averaged over the regions that hold shapes, and the predicted labels."""
    model.eval()
    x = torch.from_numpy(image).float().div(255)[None, None]
    out = model(x, torch.from_numpy(caption)[None])
    att = out["attention"][0]  # (T, K, h, w)
    h, w = att.shape[-2:]
    fg = torch.nn.functional.adaptive_max_pool2d((x[0] < 0.5).float(), (h, w))[0]
    weights = fg / fg.sum().clamp(min=1)
    per_step = (att * weights).sum((-1, -2)).numpy()
    return per_step, out["logits"].argmax(1)[0].numpy()


def render(
    model: nn.Module, data: CosalSet, indices: list[int], path: Path, scale: int = 4
) -> Path:
    """One row per test image: input, truth, prediction, then the sentences; the sentence each
    step attends to most gets a marker in that step's colour (red = step 1, yellow, green...)."""
    rows = []
    for i in indices:
        att, pred = attention_per_step(model, data.image[i], data.caption[i])
        tiles = [
            np.repeat(data.image[i][..., None], 3, -1),
            colourise(data.label[i]),
            colourise(pred),
        ]
        strip = np.concatenate(
            [np.pad(t, ((2, 2), (2, 2), (0, 0)), constant_values=200) for t in tiles], 1
        )
        strip = np.kron(strip, np.ones((scale, scale, 1), np.uint8))
        row = Image.new("RGB", (strip.shape[1] + 420, max(strip.shape[0], 9 * 20 + 24)), "white")
        row.paste(Image.fromarray(strip), (0, 0))
        draw = ImageDraw.Draw(row)
        x0 = strip.shape[1] + 10
        for t in range(len(att)):  # column legend: step number in its colour
            draw.text((x0 + 15 * t + 2, 2), str(t + 1), fill=STEP_RGB[t % len(STEP_RGB)])
        draw.text(
            (x0 + 15 * len(att) + 8, 2),
            "step (filled = most attended sentence); mean attention per step",
            fill=(0, 0, 0),
        )
        top = att.argmax(1)
        for k, ids in enumerate(data.caption[i]):
            y = 20 + 20 * k
            for t in range(len(att)):  # a filled box = the step's most-attended sentence
                box = [x0 + 15 * t, y, x0 + 15 * t + 10, y + 10]
                fill = STEP_RGB[t % len(STEP_RGB)] if top[t] == k else None
                draw.rectangle(box, outline=STEP_RGB[t % len(STEP_RGB)], fill=fill)
            draw.text(
                (x0 + 15 * len(att) + 8, y),
                f"{decode(ids)}  ({', '.join(f'{a:.2f}' for a in att[:, k])})",
                fill=(0, 0, 0),
            )
        rows.append(row)
    width = max(r.width for r in rows)
    sheet = Image.new("RGB", (width, sum(r.height + 6 for r in rows)), "white")
    y = 0
    for r in rows:
        sheet.paste(r, (0, y))
        y += r.height + 6
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path
