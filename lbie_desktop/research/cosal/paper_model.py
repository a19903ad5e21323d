"""The paper's CoSaL network (Sec. 4.1): conv encoder, BiLSTM sentences + paragraph LSTM,
recurrent attentive fusion (attention + convolutional GRU) with per-region termination gates
(Algorithm 1, Gumbel-Softmax in training), 1x1 classifier and a bilinear deconvolution.

`attention=False` is the paper's T = 1 baseline: image features concatenated with the last
paragraph-LSTM state.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from lbie_desktop.research.cosal.text import COLOURS, VOCAB

D = 16  # LSTM, attention and GRU units of the paper


def bilinear_kernel(channels: int, k: int) -> torch.Tensor:
    factor = (k + 1) // 2
    centre = factor - 1 if k % 2 == 1 else factor - 0.5
    og = torch.arange(k, dtype=torch.float32)
    filt = 1 - (og - centre).abs() / factor
    w = torch.zeros(channels, channels, k, k)
    for c in range(channels):
        w[c, c] = filt[:, None] * filt[None, :]
    return w


class SentenceEncoder(nn.Module):
    """Shared BiLSTM per sentence, then a paragraph LSTM over the sentence vectors."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB), D, padding_idx=0)
        self.word_lstm = nn.LSTM(D, D, batch_first=True, bidirectional=True)
        self.para_lstm = nn.LSTM(2 * D, D, batch_first=True)

    def forward(self, caption: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, k, L = caption.shape
        _, (h, _) = self.word_lstm(self.embed(caption.reshape(b * k, L)))
        sent = torch.cat([h[0], h[1]], -1).reshape(b, k, 2 * D)
        out, (last, _) = self.para_lstm(sent)
        return out, last[0]  # (B, K, D) per sentence, (B, D) paragraph


class ConvGRU(nn.Module):
    def __init__(self, d_in: int, d: int) -> None:
        super().__init__()
        self.gates = nn.Conv2d(d_in + d, 2 * d, 3, padding=1)
        self.cand = nn.Conv2d(d_in + d, d, 3, padding=1)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        r, z = torch.sigmoid(self.gates(torch.cat([x, h], 1))).chunk(2, 1)
        c = torch.tanh(self.cand(torch.cat([x, r * h], 1)))
        return (1 - z) * h + z * c


class PaperModel(nn.Module):
    def __init__(
        self, steps: int = 4, attention: bool = True, n_colours: int = len(COLOURS)
    ) -> None:
        super().__init__()
        if not attention and steps != 1:
            raise ValueError("the no-attention baseline has T = 1")
        self.steps, self.attention = steps, attention
        chans = [1, 4, 4, 8, 8, 16, 16]
        layers: list[nn.Module] = []
        for i in range(6):
            layers += [nn.Conv2d(chans[i], chans[i + 1], 3, padding=1), nn.ReLU()]
            if i % 2 == 1:
                layers.append(nn.MaxPool2d(2))
        self.encoder = nn.Sequential(*layers)
        self.text = SentenceEncoder()
        if attention:
            self.att_s = nn.Conv2d(D, D, 1)
            self.att_u = nn.Linear(D, D)
            self.att_v = nn.Linear(D, 1)
            self.gru = ConvGRU(D, D)
            self.gate = nn.Conv2d(D, 1, 1)  # termination gate: linear map on the state
        else:
            self.fuse = nn.Conv2d(2 * D, D, 1)
        n_cls = n_colours + 1
        self.classifier = nn.Sequential(nn.Conv2d(D, 16, 1), nn.ReLU(), nn.Conv2d(16, n_cls, 1))
        self.upsample = nn.ConvTranspose2d(n_cls, n_cls, 16, stride=8, padding=4, bias=False)
        with torch.no_grad():
            self.upsample.weight.copy_(bilinear_kernel(n_cls, 16))
        self.temperature = 1.0  # Gumbel-Softmax lambda, annealed by the trainer

    def forward(self, image: torch.Tensor, caption: torch.Tensor) -> dict[str, torch.Tensor]:
        """image (B, 1, H, W) in [0, 1]; caption (B, 9, 3). Returns logits (B, C+1, H, W),
        attention (B, T, K, h, w) and stop probabilities (B, T, h, w)."""
        v = self.encoder(image - 0.5)
        u, last = self.text(caption)
        b, _, h, w = v.shape
        if not self.attention:
            fused = F.relu(
                self.fuse(torch.cat([v, last[:, :, None, None].expand(-1, -1, h, w)], 1))
            )
            return {"logits": self.upsample(self.classifier(fused))}
        pad = caption[:, :, 0] == 0  # (B, K)
        s, outs, atts, betas = v, [], [], []
        uk = self.att_u(u)  # (B, K, D)
        for _ in range(self.steps):
            e = torch.tanh(self.att_s(s)[:, None] + uk[:, :, :, None, None])  # (B,K,D,h,w)
            score = self.att_v(e.permute(0, 1, 3, 4, 2)).squeeze(-1)  # (B,K,h,w)
            score = score.masked_fill(pad[:, :, None, None], -1e9)
            a = score.softmax(1)
            u_hat = torch.einsum("bkhw,bkd->bdhw", a, u)
            s = self.gru(u_hat, s)
            outs.append(self.classifier(s))
            atts.append(a)
            betas.append(torch.sigmoid(self.gate(s))[:, 0])
        # Stop distribution per region: stop at t if gate fires at t and never before; the
        # last step takes the remaining mass (Algorithm 1 falls back to the last output).
        beta = torch.stack(betas, 1).clamp(1e-6, 1 - 1e-6)
        beta = torch.cat([beta[:, :-1], torch.ones_like(beta[:, -1:])], 1)
        keep = torch.cumprod(torch.cat([torch.ones_like(beta[:, :1]), 1 - beta[:, :-1]], 1), 1)
        p_stop = beta * keep  # (B, T, h, w)
        if self.training:
            z = F.gumbel_softmax(torch.log(p_stop + 1e-9), tau=self.temperature, dim=1)
        else:
            z = F.one_hot(p_stop.argmax(1), self.steps).permute(0, 3, 1, 2).float()
        out = (torch.stack(outs, 1) * z[:, :, None]).sum(1)
        return {"logits": self.upsample(out), "attention": torch.stack(atts, 1), "p_stop": p_stop}
