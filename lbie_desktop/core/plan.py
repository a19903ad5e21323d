"""Edit plans: an ordered list of steps (op, params, mask, enabled) plus why each was proposed.

A mask is a float32 [H,W] array in [0,1] at any resolution (the renderer resizes it to the
image it applies to). JSON holds everything but the pixels; masks travel as 8-bit PNG files
beside it (`Plan.save` / `Plan.load`) or inside a session zip.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from lbie_desktop.core.ops import get_op
from lbie_desktop.errors import UserError

PLAN_FORMAT = 1


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class Step:
    op: str
    params: dict[str, Any] = field(default_factory=dict)
    mask: np.ndarray | None = None  # float32 [H,W] in [0,1]; None = whole image
    enabled: bool = True
    # Why the step was proposed; shown on its card.
    confidence: float = 1.0
    local: bool = False
    target: str | None = None  # phrase naming the region ("the sky")
    evidence: list[str] = field(default_factory=list)  # words / measurements behind it
    mask_note: str = ""  # how the mask was made (grounding explanation)
    id: str = field(default_factory=_new_id)
    # A follow-up ("a bit more") re-tunes an earlier step: this step then stands in for the
    # step with that id, at its place in the chain (see `resolve_turn_steps`).
    replaces: str | None = None
    # Regions a fill must not copy from (the people kept when others are removed): [H,W] in
    # [0,1] like `mask`; passed to ops that take context (inpaint_obj).
    avoid: np.ndarray | None = None

    def __post_init__(self) -> None:
        op = get_op(self.op)  # unknown op -> UserError now, not at render time
        self.params = op.validate(self.params)
        if self.mask is not None:
            self.mask = np.clip(np.asarray(self.mask, dtype=np.float32), 0, 1)
            if self.mask.ndim != 2:
                raise UserError(f"mask for {self.op} must be 2-D (got shape {self.mask.shape})")
            self.local = True
        if self.avoid is not None:
            self.avoid = np.clip(np.asarray(self.avoid, dtype=np.float32), 0, 1)
            if self.avoid.ndim != 2:
                self.avoid = None

    def copy(self, **changes: Any) -> Step:
        data = dict(op=self.op, params=dict(self.params), mask=self.mask, enabled=self.enabled,
                    confidence=self.confidence, local=self.local, target=self.target,
                    evidence=list(self.evidence), mask_note=self.mask_note, id=self.id,
                    replaces=self.replaces, avoid=self.avoid)
        data.update(changes)
        # masks already in a Step were validated and are replaced, never edited in place:
        # share them (a slider move must not copy, and the renderer re-hash, a mask)
        shared = {k: data.pop(k) for k in ("mask", "avoid") if k not in changes}
        out = Step(**data)
        for k, v in shared.items():
            setattr(out, k, v)
        return out

    def to_dict(self, mask_ref: str | None = None, avoid_ref: str | None = None) -> dict[str, Any]:
        return {"id": self.id, "op": self.op, "params": self.params, "enabled": self.enabled,
                "confidence": round(float(self.confidence), 4), "local": self.local,
                "target": self.target, "evidence": self.evidence, "mask_note": self.mask_note,
                "mask": mask_ref, "replaces": self.replaces, "avoid": avoid_ref}

    @classmethod
    def from_dict(cls, d: dict[str, Any], mask: np.ndarray | None = None,
                  avoid: np.ndarray | None = None) -> Step:
        if not isinstance(d, dict) or "op" not in d:
            raise UserError("a plan step needs an 'op'")
        return cls(op=d["op"], params=dict(d.get("params") or {}), mask=mask,
                   enabled=bool(d.get("enabled", True)),
                   confidence=float(d.get("confidence", 1.0)), local=bool(d.get("local", False)),
                   target=d.get("target"), evidence=list(d.get("evidence") or []),
                   mask_note=str(d.get("mask_note") or ""), id=str(d.get("id") or _new_id()),
                   replaces=d.get("replaces"), avoid=avoid)


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)

    def __iter__(self):
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def enabled(self) -> list[Step]:
        return [s for s in self.steps if s.enabled]

    def to_dict(self, mask_refs: dict[str, str] | None = None,
                avoid_refs: dict[str, str] | None = None) -> dict[str, Any]:
        refs, arefs = mask_refs or {}, avoid_refs or {}
        return {"format": PLAN_FORMAT,
                "steps": [s.to_dict(refs.get(s.id), arefs.get(s.id)) for s in self.steps]}

    def to_json(self) -> str:
        """JSON without mask pixels (masks are referenced as `mask-<id>.png`)."""
        return json.dumps(self.to_dict({s.id: f"mask-{s.id}.png" for s in self.steps
                                        if s.mask is not None},
                                       {s.id: f"avoid-{s.id}.png" for s in self.steps
                                        if s.avoid is not None}), indent=2)

    @classmethod
    def from_dict(cls, d: dict[str, Any], masks: dict[str, np.ndarray] | None = None) -> Plan:
        if not isinstance(d, dict) or not isinstance(d.get("steps"), list):
            raise UserError("not a plan: expected an object with a 'steps' list")
        if int(d.get("format", 1)) > PLAN_FORMAT:
            raise UserError(f"this plan was written by a newer LBIE (format {d['format']}); "
                            "update the app to open it")
        masks = masks or {}
        return cls([Step.from_dict(s, masks.get(s.get("mask") or ""),
                                   masks.get(s.get("avoid") or "")) for s in d["steps"]])

    def save(self, path: str | Path) -> None:
        """Write plan.json and its masks as PNG files in the same folder."""
        from lbie_desktop.core.imageio import atomic_write_bytes

        path = Path(path)
        for s in self.steps:
            if s.mask is not None:
                atomic_write_bytes(path.parent / f"mask-{s.id}.png", mask_to_png(s.mask))
            if s.avoid is not None:
                atomic_write_bytes(path.parent / f"avoid-{s.id}.png", mask_to_png(s.avoid))
        atomic_write_bytes(path, self.to_json().encode())

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        path = Path(path)
        try:
            d = json.loads(path.read_text())
        except FileNotFoundError:
            raise UserError(f"no plan file at {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"{path} is not a valid plan JSON file: {exc}") from None
        masks = {}
        for s in d.get("steps", []) if isinstance(d, dict) else []:
            for key in ("mask", "avoid"):
                ref = s.get(key) if isinstance(s, dict) else None
                if ref:
                    masks[ref] = mask_from_png((path.parent / ref).read_bytes())
        return cls.from_dict(d, masks)


def resolve_turn_steps(turn_steps: list[list[Step]]) -> list[Step]:
    """Flatten the steps of successive turns into one render chain.

    A step with `replaces=X` takes the place of the step with id X (wherever X stands in the
    chain, so "more brightness" after a crop still brightens before the crop); undoing the
    later turn brings X back untouched.
    """
    chain: list[Step] = []
    where: dict[str, int] = {}
    for steps in turn_steps:
        for s in steps:
            if s.replaces is not None and s.replaces in where:
                i = where.pop(s.replaces)
                chain[i] = s
                where[s.id] = i
            else:
                where[s.id] = len(chain)
                chain.append(s)
    return chain


def mask_to_png(mask: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.round(np.clip(mask, 0, 1) * 255).astype(np.uint8), "L").save(buf, "PNG")
    return buf.getvalue()


def mask_from_png(data: bytes) -> np.ndarray:
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds
        raise UserError(f"a mask image could not be read: {exc}") from None
    return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
