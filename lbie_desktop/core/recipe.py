"""Recipes: a session's edits in a form that applies to other photos.

Global steps travel with their parameters. A local step travels as its target phrase ("the
sky") plus the request it came from, and is grounded again on each new photo; if grounding
cannot find the target there, that step is skipped with a note (never a wrong region).
A region painted by hand has no phrase, so it cannot travel; export says so.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lbie_desktop.core.atomic import atomic_write_bytes
from lbie_desktop.core.ops import get_op
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.session import Session
from lbie_desktop.core.targets import target_mask
from lbie_desktop.errors import UserError

RECIPE_FORMAT = 1
KIND = "lbie-recipe"
GroundFn = Callable[..., Any]  # grounding.ground(image_rgb, phrase, context=, op=) -> Grounding


@dataclass
class RecipeStep:
    op: str
    params: dict[str, Any]
    target: str | None = None  # set for local steps: re-grounded on each photo
    request: str = ""  # the request the step came from (context for grounding)

    @property
    def local(self) -> bool:
        return self.target is not None

    def describe(self) -> str:
        return get_op(self.op).label + (f" on “{self.target}”" if self.local else "")


@dataclass
class Recipe:
    steps: list[RecipeStep]
    name: str = ""
    notes: list[str] = field(default_factory=list)  # what could not be carried over

    # --- (de)serialisation ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"format": RECIPE_FORMAT, "kind": KIND, "name": self.name,
                "created": time.time(), "notes": self.notes,
                "steps": [{"op": s.op, "params": s.params, "target": s.target,
                           "request": s.request} for s in self.steps]}

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        atomic_write_bytes(path, (json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
                                  + "\n").encode())
        return path

    @classmethod
    def from_dict(cls, d: Any, name: str = "recipe") -> Recipe:
        if not isinstance(d, dict) or d.get("kind") != KIND or not isinstance(d.get("steps"), list):
            raise UserError(f"{name} is not an LBIE recipe (expected kind '{KIND}' and steps)")
        version = d.get("format")
        if not isinstance(version, int) or version < 1:
            raise UserError(f"{name} has no valid recipe format number")
        if version > RECIPE_FORMAT:
            raise UserError(f"{name} was written by a newer LBIE Desktop (recipe format "
                            f"{version}); update the app to use it")
        steps = []
        for i, s in enumerate(d["steps"], 1):
            if not isinstance(s, dict) or not isinstance(s.get("op"), str):
                raise UserError(f"{name}: step {i} needs an 'op'")
            op = get_op(s["op"])  # unknown op -> clear UserError now, before any photo
            if not isinstance(s.get("params") or {}, dict):
                raise UserError(f"{name}: step {i} params must be an object of name: value")
            params = op.validate(dict(s.get("params") or {}))
            target = s.get("target")
            if target is not None and (not isinstance(target, str) or not target.strip()):
                raise UserError(f"{name}: step {i} target must be a phrase such as \"the sky\"")
            if target is not None and not op.can_be_local:
                raise UserError(f"{name}: step {i} ({op.label}) cannot be limited to a region")
            steps.append(RecipeStep(op.name, params, target, str(s.get("request") or "")))
        notes = d.get("notes") if isinstance(d.get("notes"), list) else []
        return cls(steps, str(d.get("name") or ""), [str(n) for n in notes])

    @classmethod
    def load(cls, path: str | Path) -> Recipe:
        path = Path(path)
        if path.suffix.lower() == ".lbie":
            from lbie_desktop.core.session_file import open_session

            return recipe_from_session(open_session(path), name=path.stem)
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(f"no recipe file at {path}") from None
        except IsADirectoryError:
            raise UserError(f"{path} is a folder, not a recipe") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UserError(f"{path.name} is not valid recipe JSON ({exc})") from None
        except OSError as exc:
            raise UserError(f"could not read {path}: {exc.strerror or exc}") from None
        return cls.from_dict(d, path.name)


def recipe_from_session(session: Session, name: str = "") -> Recipe:
    """The session's current edits (after follow-ups re-tuned them) as a recipe."""
    request_of = {s.id: t.request for t in session.turns for s in t.plan.steps}
    steps: list[RecipeStep] = []
    notes: list[str] = []
    for s in session.steps():
        if not s.enabled or get_op(s.op).is_identity(s.params):
            continue
        target = (s.target or "").strip() or None
        if s.local and target is None:
            notes.append(f"{get_op(s.op).label} was on a region painted by hand; a recipe "
                         "cannot carry a painted region to other photos, so it was left out")
            continue
        if not s.local:
            target = None
        steps.append(RecipeStep(s.op, dict(s.params), target, request_of.get(s.id, "")))
    if not steps:
        notes.append("the session has no edits a recipe can carry")
    return Recipe(steps, name, notes)


def apply_recipe(recipe: Recipe, image_rgb: np.ndarray, *, ground: GroundFn | None = None
                 ) -> tuple[Plan, list[str]]:
    """The recipe as a plan for this photo; messages say which local steps were skipped."""
    if ground is None:
        from lbie_desktop.grounding import ground
    steps: list[Step] = []
    messages: list[str] = []
    for rs in recipe.steps:
        if not rs.local:
            steps.append(Step(rs.op, dict(rs.params)))
            continue
        try:
            t = target_mask(image_rgb, rs.target or "", ground, request=rs.request, op=rs.op)
            mask = None if t.mask is None else np.asarray(t.mask, dtype=np.float32)
            found = mask is not None and mask.ndim == 2 and float(mask.max()) > 0
            why = t.note
        except UserError as exc:  # e.g. a model pack that is not installed
            found, mask, why = False, None, str(exc)
        if found:
            steps.append(Step(rs.op, dict(rs.params), mask=mask, target=rs.target,
                              mask_note=why))
        else:
            messages.append(f"skipped {rs.describe()}: {why or 'not found in this photo'}")
    return Plan(steps), messages
