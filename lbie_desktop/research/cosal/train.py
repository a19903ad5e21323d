"""Training loop for both CoSaL networks, CPU-friendly: a wall-clock budget, cosine learning
rate and Gumbel temperature schedules over that budget, weights saved as safetensors."""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from lbie_desktop.research.cosal.generator import DEFAULT_SIZE, CosalSet, cached
from lbie_desktop.research.cosal.improved_model import ImprovedModel
from lbie_desktop.research.cosal.metric import ShapeIoU
from lbie_desktop.research.cosal.paper_model import PaperModel

TRAIN_SEED = 0  # test sets use seed 1 (evaluate.TEST_SEED), never seen in training
MIX = 0  # n_direct value meaning "an equal mix of 4, 6 and 8"


@dataclass
class TrainConfig:
    arch: str = "paper"  # paper | improved
    direct: int = 6  # 4, 6, 8, or 0 = mix of the three
    steps: int = 4
    attention: bool = True
    train_size: int = 50_000
    epochs: float = 100.0
    minutes: float = 60.0  # wall-clock budget; training stops at whichever limit comes first
    batch: int = 32
    lr: float = 1e-3
    fg_weight: float = 10.0  # the authors' code weighs shape pixels 10x background
    size: int = DEFAULT_SIZE
    seed: int = 0
    init: str = ""  # weights to continue from (same arch and steps): fine-tuning, curricula
    checkpoint_every: int = 1000  # steps between saves, so a stopped run still leaves weights


def build(cfg: TrainConfig) -> nn.Module:
    if cfg.arch == "paper":
        return PaperModel(steps=cfg.steps, attention=cfg.attention)
    if cfg.arch == "improved":
        return ImprovedModel(steps=cfg.steps)
    raise ValueError(f"unknown arch {cfg.arch!r}")


def training_set(cfg: TrainConfig, cache_dir: Path | None) -> CosalSet:
    if cfg.direct != MIX:
        return cached(cfg.train_size, cfg.direct, TRAIN_SEED, cfg.size, cache_dir)
    parts = [
        cached(cfg.train_size // 3, d, TRAIN_SEED + 10 + d, cfg.size, cache_dir) for d in (4, 6, 8)
    ]
    fields = ("image", "label", "shape_map", "cell_shape", "cell_colour", "caption")
    return CosalSet(
        **{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}, n_direct=MIX
    )


def to_tensors(data: CosalSet, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    image = torch.from_numpy(data.image[idx]).float().div_(255).unsqueeze(1)
    return image, torch.from_numpy(data.caption[idx]), torch.from_numpy(data.label[idx]).long()


@torch.no_grad()
def predict(model: nn.Module, data: CosalSet, batch: int = 256) -> np.ndarray:
    model.eval()
    out = np.empty(data.label.shape, np.int64)
    for i in range(0, len(data), batch):
        idx = np.arange(i, min(i + batch, len(data)))
        image, caption, _ = to_tensors(data, idx)
        out[idx] = model(image, caption)["logits"].argmax(1).numpy()
    return out


def score(model: nn.Module, data: CosalSet) -> ShapeIoU:
    m = ShapeIoU()
    m.update(predict(model, data), data.label, data.shape_map, data.cell_shape)
    return m


def train(cfg: TrainConfig, out: Path | None, cache_dir: Path | None = None, log=print) -> dict:
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    data = training_set(cfg, cache_dir)
    val = cached(
        min(1000, max(cfg.train_size // 10, 50)),
        cfg.direct or 4,
        TRAIN_SEED + 99,
        cfg.size,
        cache_dir,
    )
    model = build(cfg)
    if cfg.init:
        model.load_state_dict(load_file(cfg.init))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
    weight = torch.tensor([1.0] + [cfg.fg_weight] * 3)
    n_batches = max(1, int(cfg.epochs * len(data) / cfg.batch))
    start, seen, step, done = time.monotonic(), 0, 0, 0.0
    order = rng.permutation(len(data))
    while step < n_batches and done < 1.0:
        done = max(step / n_batches, (time.monotonic() - start) / (cfg.minutes * 60))
        for g in opt.param_groups:
            g["lr"] = cfg.lr * 0.5 * (1 + math.cos(math.pi * min(done, 1.0)))
        if hasattr(model, "temperature"):
            model.temperature = 1.0 * (0.1 / 1.0) ** min(done, 1.0)  # anneal lambda 1 -> 0.1
        pos = (step * cfg.batch) % len(data)
        if pos + cfg.batch > len(data):
            order, pos = rng.permutation(len(data)), 0
        image, caption, label = to_tensors(data, order[pos : pos + cfg.batch])
        model.train()
        loss = F.cross_entropy(model(image, caption)["logits"], label, weight=weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step, seen = step + 1, seen + cfg.batch
        if step % 200 == 0:
            log(f"step {step} epoch {seen / len(data):.2f} loss {loss.item():.4f} "
                f"min {(time.monotonic() - start) / 60:.1f}")  # fmt: skip
        if step % 2000 == 0:
            log(f"  val mean IoU {score(model, val).mean():.4f}")
        if out is not None and cfg.checkpoint_every and step % cfg.checkpoint_every == 0:
            partial = {"steps": step, "epochs": seen / len(data), "partial": True,
                       "minutes": round((time.monotonic() - start) / 60, 1)}  # fmt: skip
            save(model, cfg, partial, out)
    minutes = (time.monotonic() - start) / 60
    result = {"config": asdict(cfg), "steps": step, "epochs": seen / len(data),
              "minutes": round(minutes, 1), "val_iou": score(model, val).mean()}  # fmt: skip
    log(json.dumps(result))
    if out is not None:
        save(model, cfg, result, out)
    return result


def save(model: nn.Module, cfg: TrainConfig, result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    tmp = path.with_name(path.name + ".tmp")  # a reader never sees a half-written file
    save_file(
        tensors,
        str(tmp),
        metadata={"config": json.dumps(asdict(cfg)), "result": json.dumps(result)},
    )
    tmp.replace(path)


def load(path: Path) -> tuple[nn.Module, TrainConfig, dict]:
    from safetensors import safe_open

    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
    cfg = TrainConfig(**json.loads(meta["config"]))
    model = build(cfg)
    model.load_state_dict(load_file(str(path)))
    model.eval()
    return model, cfg, json.loads(meta.get("result", "{}"))
