"""The trained part of the understanding model: MiniLM's top layers (fine-tuned) + two heads.

heads: `ops` gives one logit per op in `ops` (does the request ask for it?), `local` one logit
per op (if it does, is it limited to a region?). Weights live in one safetensors file whose
metadata carries the op list, decision thresholds and the layer split.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from lbie_desktop.understanding.encoder import additive_mask, mean_pool


class TopModel(nn.Module):
    def __init__(self, base: nn.Module, n_lower: int, ops: tuple[str, ...],
                 hidden: int = 384, dropout: float = 0.1) -> None:
        super().__init__()
        self.ops = tuple(ops)
        self.n_lower = n_lower
        self.layers = nn.ModuleList(copy.deepcopy(layer)
                                    for layer in base.encoder.layer[n_lower:])
        for p in self.layers.parameters():
            p.requires_grad_(True)
        self.drop = nn.Dropout(dropout)
        self.op_head = nn.Linear(hidden, len(ops))
        self.local_head = nn.Linear(hidden, len(ops))

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        am = additive_mask(mask, h.dtype)
        for layer in self.layers:
            h = layer(h, am)
        z = self.drop(mean_pool(h, mask))
        return self.op_head(z), self.local_head(z)


def save_model(model: TopModel, path: Path, meta: dict,
               ngram: dict[str, torch.Tensor] | None = None) -> None:
    """`ngram` (optional): idf, weight, bias of the hashed n-gram model (see ngrams.py)."""
    # fp16 halves the file (the top layers are most of it); heads stay fp32.
    tensors = {k: (v.half() if k.startswith("layers.") else v).contiguous()
               for k, v in model.state_dict().items()}
    for k, v in (ngram or {}).items():
        tensors[f"ngram.{k}"] = (v.half() if k == "weight" else v.float()).contiguous()
    full = dict(meta, ops=list(model.ops), n_lower=model.n_lower)
    save_file(tensors, str(path), metadata={"lbie": json.dumps(full)})


def load_model(path: Path, base: nn.Module
               ) -> tuple[TopModel, dict, dict[str, torch.Tensor] | None]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        meta = json.loads(f.metadata()["lbie"])
    model = TopModel(base, int(meta["n_lower"]), tuple(meta["ops"]))
    tensors = load_file(str(path))
    ngram = {k[6:]: v.float() for k, v in tensors.items() if k.startswith("ngram.")}
    model.load_state_dict({k: v.float() for k, v in tensors.items()
                           if not k.startswith("ngram.")})
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, meta, ngram or None
