"""Improved CoSaL network: same inputs, outputs, data and metric as the paper's model.

Changes, each aimed at a failure of the small model: wider conv encoder plus coordinate
channels (position encodings, so "left of"/"above" can be read from where a region is);
dilated context convs so each region sees its neighbours' shapes; sentences encoded by
position-aware token embeddings (word order matters: "red left circle"); multi-head attention
repeated for `steps` rounds with a GRU state; and a full-resolution skip from the input
silhouette so edges are sharp instead of coming from an 8x bilinear upsample.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from lbie_desktop.research.cosal.text import COLOURS, VOCAB


def _coords(b: int, h: int, w: int, device: torch.device) -> torch.Tensor:
    ys = torch.linspace(-1, 1, h, device=device)[:, None].expand(h, w)
    xs = torch.linspace(-1, 1, w, device=device)[None, :].expand(h, w)
    return torch.stack([ys, xs])[None].expand(b, -1, -1, -1)


class ImprovedModel(nn.Module):
    def __init__(
        self, steps: int = 4, d: int = 64, heads: int = 4, n_colours: int = len(COLOURS)
    ) -> None:
        super().__init__()
        self.steps, self.d, self.heads = steps, d, heads

        def block(i: int, o: int) -> list[nn.Module]:
            return [nn.Conv2d(i, o, 3, padding=1), nn.ReLU()]

        self.encoder = nn.Sequential(
            *block(3, 8), nn.MaxPool2d(2),
            *block(8, 32), *block(32, 32), nn.MaxPool2d(2),
            *block(32, 64), *block(64, d), nn.MaxPool2d(2),
        )  # fmt: skip
        self.context = nn.Sequential(
            nn.Conv2d(d + 2, d, 3, padding=1), nn.ReLU(),
            nn.Conv2d(d, d, 3, padding=2, dilation=2), nn.ReLU(),
            nn.Conv2d(d, d, 3, padding=1),
        )  # fmt: skip
        self.embed = nn.Embedding(len(VOCAB), d, padding_idx=0)
        self.word_pos = nn.Parameter(torch.randn(3, d) * 0.1)
        self.sent = nn.Sequential(nn.Linear(3 * d, d), nn.ReLU(), nn.Linear(d, d))
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(d, 2 * d)
        self.gru = nn.GRUCell(d, d)
        self.mix = nn.Conv2d(d, d, 3, padding=1)  # lets regions share what they read
        n_cls = n_colours + 1
        self.head = nn.Sequential(nn.Conv2d(d, d, 1), nn.ReLU(), nn.Conv2d(d, n_cls, 1))
        self.skip = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU())
        self.refine = nn.Sequential(
            nn.Conv2d(8 + n_cls, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, n_cls, 3, padding=1)
        )

    def forward(self, image: torch.Tensor, caption: torch.Tensor) -> dict[str, torch.Tensor]:
        b, _, H, W = image.shape
        x = image - 0.5
        v = self.encoder(torch.cat([x, _coords(b, H, W, image.device)], 1))
        _, d, h, w = v.shape
        v = F.relu(v + self.context(torch.cat([v, _coords(b, h, w, v.device)], 1)))
        k_, L = caption.shape[1:]
        tok = self.embed(caption) + self.word_pos[None, None]
        sent = self.sent(tok.reshape(b, k_, L * d))  # (B, K, d)
        key, val = self.kv(sent).chunk(2, -1)
        pad = caption[:, :, 0] == 0
        hd = d // self.heads
        key = key.reshape(b, k_, self.heads, hd)
        val = val.reshape(b, k_, self.heads, hd)
        s = v.permute(0, 2, 3, 1).reshape(b * h * w, d)
        atts = []
        for _ in range(self.steps):
            q = self.q(s).reshape(b, h * w, self.heads, hd)
            score = torch.einsum("bnhe,bkhe->bhnk", q, key) / hd**0.5
            score = score.masked_fill(pad[:, None, None, :], -1e9)
            a = score.softmax(-1)
            read = torch.einsum("bhnk,bkhe->bnhe", a, val).reshape(b * h * w, d)
            s = self.gru(read, s)
            grid = s.reshape(b, h, w, d).permute(0, 3, 1, 2)
            s = (grid + F.relu(self.mix(grid))).permute(0, 2, 3, 1).reshape(b * h * w, d)
            atts.append(a.mean(1).reshape(b, h, w, k_).permute(0, 3, 1, 2))
        grid = s.reshape(b, h, w, d).permute(0, 3, 1, 2)
        coarse = F.interpolate(self.head(grid), size=(H, W), mode="bilinear", align_corners=False)
        logits = coarse + self.refine(torch.cat([self.skip(x), coarse], 1))
        return {"logits": logits, "attention": torch.stack(atts, 1)}
