"""The dialogue state tracker: turns a request into what the session should do next.

The state is the session itself (its turns, their steps and targets); `interpret` reads it and
returns an `Outcome` — a plan to add as a new turn, possibly after reverting — and
`apply_outcome` carries it out. A follow-up that re-tunes an earlier step ("a bit more",
"undo the crop") adds a step that *replaces* it (`Step.replaces`), so the history keeps both
versions and undoing the follow-up restores the earlier one exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from lbie_desktop.core.ops import get_op
from lbie_desktop.core.plan import Plan, Step, _new_id
from lbie_desktop.dialogue.intents import Intent, classify, intensity_factor
from lbie_desktop.pipeline import (
    GroundFn,
    UnderstandFn,
    default_ground,
    default_understand,
    ground_steps,
)

_PRONOUNS = {"it", "that", "this", "them", "those", "these", "him", "her", "there", "one",
             "the same", "same", "that one", "this one", "the same area", "that area"}
# With nothing edited before, a person pronoun means the people in the photo (grounding finds
# "her" / "him" as a person; "them" it reads as nothing).
_PERSON_PRONOUNS = {"her": "her", "him": "him", "them": "the people"}
# Comparatives that make "brighter" after "brighten it" re-tune the step rather than stack one.
_COMPARATIVE = (r"\b(more|less|brighter|darker|warmer|cooler|colder|sharper|softer|lighter|"
                r"stronger|weaker|bluer|redder|greener|richer|deeper|punchier|blurrier|"
                r"smoother|clearer|duller)\b")
_SPATIAL = r"\b(on|at|in|to)? ?(the )?(left|right|top|bottom|middle|center|centre|front|back)\b"


class SessionLike(Protocol):
    turns: Sequence  # of Turn(request, plan)

    def render(self, *, upto: int | None = None, extra=None, full: bool = False) -> np.ndarray: ...


@dataclass
class _Ctx:
    turns: list
    session: SessionLike
    image: np.ndarray
    understand: UnderstandFn
    ground: GroundFn


@dataclass
class Outcome:
    kind: str  # new | adjust | again | extend | correct | other | revert | compare | nothing
    plan: Plan = field(default_factory=Plan)
    revert_to: int | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.kind == "revert":
            return f"back to version {self.revert_to}"
        return f"{self.kind}: {', '.join(s.op for s in self.plan) or 'no steps'}"


def interpret(request: str, session: SessionLike, *, understand: UnderstandFn | None = None,
              ground: GroundFn | None = None) -> Outcome:
    turns = list(session.turns)
    intent = classify(request, len(turns))
    image = session.render()
    ctx = _Ctx(turns, session, image, understand or default_understand, ground or default_ground)
    out = _HANDLERS.get(intent.kind, _new)(intent, request, ctx)
    if out.plan.steps:
        base = image if out.revert_to is None else session.render(upto=out.revert_to)
        steps, msgs = ground_steps(out.plan.steps, base, request, ground)
        out.plan = Plan(steps)
        out.messages += msgs
    if out.kind not in ("revert",) and not out.plan.steps and not out.messages:
        out.messages.append("Nothing to do: I didn't recognise an edit in that request.")
    return out


def apply_outcome(session, request: str, outcome: Outcome) -> None:
    """Carry out an outcome on a core Session (revert first, then add the turn)."""
    if outcome.revert_to is not None:
        session.revert_to(outcome.revert_to)
    if outcome.plan.steps:
        session.add_turn(request, outcome.plan, outcome.messages)


# --- helpers -------------------------------------------------------------------------------
def _live_steps(turns: Sequence) -> list[Step]:
    """The steps currently in effect (replaced ones resolved), oldest first."""
    from lbie_desktop.core.plan import resolve_turn_steps

    return resolve_turn_steps([t.plan.steps for t in turns])


def _recent_turn_steps(turns: Sequence) -> list[list[Step]]:
    """Each turn's steps as they stand now (later replacements applied), newest turn first."""
    live = _live_steps(turns)
    current: dict[str, Step] = {}
    for s in live:  # map every id in a replacement chain to the step now in effect
        current[s.id] = s
    chain: dict[str, str] = {}
    for t in turns:
        for s in t.plan.steps:
            if s.replaces:
                chain[s.replaces] = s.id

    def now(step_id: str) -> Step | None:
        seen = set()
        while step_id in chain and step_id not in seen:
            seen.add(step_id)
            step_id = chain[step_id]
        return current.get(step_id)

    out = []
    for t in reversed(turns):
        steps = [s2 for s in t.plan.steps if not s.replaces and (s2 := now(s.id)) is not None]
        if steps:
            out.append(steps)
    return out


def _last_turn_steps(turns: Sequence) -> list[Step]:
    """Steps of the most recent turn that added steps, as they stand now."""
    recent = _recent_turn_steps(turns)
    return recent[0] if recent else []


def _op_for_word(word: str) -> str | None:
    """'crop' / 'cropping' / 'blur' / 'brightness' -> registry op name."""
    from lbie_desktop.core.ops import all_ops

    w = word.lower().rstrip("s")
    for op in all_ops():
        names = {op.name, op.label.lower(), *op.name.split("_"), *(k.lower() for k in op.keywords)}
        if w in names or any(n.startswith(w[:4]) and len(w) >= 4 for n in names):
            return op.name
    return None


def _names_op(text: str, op_name: str) -> bool:
    """Do the words name this op (its name, label or keywords), rather than a model guessing
    it from a bare "too much"?"""
    op = get_op(op_name)
    t = text.lower()
    words = {op.name.replace("_", " "), op.label.lower(), *(k.lower() for k in op.keywords)}
    return any(re.search(rf"\b{re.escape(w)}", t) for w in words if w)


def _framed_tighter(step: Step, factor: float) -> Step:
    """"a bit more" after "crop to her face": zoom about the crop's centre, by half the
    factor, so x1.3 stays inside the 15% room left around the subject (scaling the margins
    themselves cut into the face)."""
    p = dict(step.params)
    zoom = 1.0 + (factor - 1.0) * 0.5
    for lo, hi in (("left", "right"), ("top", "bottom")):
        keep = 1.0 - p[lo] - p[hi]
        centre = p[lo] + keep / 2
        half = min(0.5, keep / zoom / 2)
        start = min(max(centre - half, 0.0), 1.0 - 2 * half)
        p[lo], p[hi] = start, 1.0 - start - 2 * half
    return step.copy(params=get_op("crop").validate(p), id=_new_id(), replaces=step.id,
                     evidence=[*step.evidence, f"zoom x{zoom:.3g} about the crop's centre"])


def _scaled(step: Step, factor: float) -> Step | None:
    """A copy whose continuous params sit `factor` times as far from identity."""
    if step.op == "crop" and step.target and not step.target.startswith("not: "):
        return _framed_tighter(step, factor)
    op = get_op(step.op)
    defaults = op.defaults()
    params = dict(step.params)
    changed = False
    for p in op.params:
        if not p.continuous:
            continue
        d, v = defaults[p.name], params[p.name]
        if isinstance(v, list):
            params[p.name] = [dd + (vv - dd) * factor for vv, dd in zip(v, d)]
            changed |= any(abs(vv - dd) > 1e-9 for vv, dd in zip(v, d))
        else:
            params[p.name] = d + (v - d) * factor
            changed |= abs(v - d) > 1e-9
    if not changed:
        return None
    return step.copy(params=op.validate(params), id=_new_id(), replaces=step.id,
                     evidence=[*step.evidence, f"x{factor:g}"])


def _with_target(step: Step, target: str, *, replaces: bool) -> Step | None:
    if not get_op(step.op).can_be_local:
        return None
    return step.copy(local=True, target=target, mask=None, enabled=True, mask_note="",
                     id=_new_id(), replaces=step.id if replaces else None)


def _sign(step: Step) -> float:
    op = get_op(step.op)
    d = op.defaults()
    total = 0.0
    for p in op.params:
        if p.kind == "float":
            total += float(step.params[p.name]) - float(d[p.name])
    return float(np.sign(total))


# --- handlers ------------------------------------------------------------------------------
def _new(intent: Intent, request: str, ctx: _Ctx) -> Outcome:
    turns, image, understand = ctx.turns, ctx.image, ctx.understand
    steps = understand(request, image)
    # "it"/"them" point at the last thing edited locally, unless that thing was removed.
    last_target = next((s.target for s in reversed(_live_steps(turns))
                        if s.local and s.target and s.op not in ("inpaint_obj", "color_bg")),
                       None)
    resolved = []
    for s in steps:
        said = (s.target or "").lower().strip()
        if s.local and said in _PRONOUNS:
            if last_target:
                s = s.copy(target=last_target, evidence=[*s.evidence, f"“{s.target}” = {last_target}"])
            elif said in _PERSON_PRONOUNS:  # "cut her out" first: the person in the photo
                s = s.copy(target=_PERSON_PRONOUNS[said])
            else:
                s = s.copy(local=False, target=None)
        resolved.append(s)
    # Same op with a comparative word ("more contrast", "brighter") re-tunes the earlier step.
    factor = intensity_factor(request.lower())
    if factor is None and re.search(_COMPARATIVE, request.lower()):
        factor = 1.5
    live = _live_steps(turns)
    if factor is not None and live:
        out = []
        for s in resolved:
            prev = next((p for p in reversed(live) if p.op == s.op and p.enabled
                         and p.target == s.target), None)
            if prev is None:
                out.append(s)
                continue
            if _sign(prev) == _sign(s) or _sign(s) == 0:
                adj = _scaled(prev, factor)
            else:  # opposite direction: add the new amount to the old one
                op = get_op(s.op)
                d = op.defaults()
                params = {k: (prev.params[k] + s.params[k] - d[k]) if isinstance(d[k], float)
                          else prev.params[k] for k in prev.params}
                adj = prev.copy(params=op.validate(params), id=_new_id(), replaces=prev.id)
            out.append(adj or s)
        return Outcome("adjust" if any(s.replaces for s in out) else "new", Plan(out))
    return Outcome("new", Plan(resolved))


def _adjust(intent: Intent, request: str, ctx: _Ctx) -> Outcome:
    turns, image, understand = ctx.turns, ctx.image, ctx.understand
    live = _live_steps(turns)
    if intent.disable_op:
        op = _op_for_word(intent.disable_op)
        prev = next((s for s in reversed(live) if s.op == op and s.enabled), None)
        if prev is None:
            return Outcome("nothing", messages=[f"There is no {intent.disable_op} to undo."])
        return Outcome("adjust", Plan([prev.copy(enabled=False, id=_new_id(), replaces=prev.id,
                                                  evidence=["switched off"])]))
    # Which steps? Those whose op the request names ("more contrast"), else the last turn's.
    named = ({s.op for s in understand(intent.rest, image) if _names_op(intent.rest, s.op)}
             if intent.rest else set())
    targets = [s for s in live if s.op in named and s.enabled] if named else []
    if named and not targets:  # "more contrast" with no contrast yet: a new step
        return _new(intent, request, ctx)
    if targets:
        latest: dict[str, Step] = {}
        for s in targets:
            latest[s.op] = s
        targets = list(latest.values())
        out = [a for a in (_scaled(s, intent.factor) for s in targets) if a is not None]
    else:  # the most recent turn that has something to scale
        out = []
        for steps in _recent_turn_steps(turns):
            out = [a for a in (_scaled(s, intent.factor) for s in steps if s.enabled)
                   if a is not None]
            if out:
                break
    if not out:
        return Outcome("nothing", messages=["There is nothing adjustable to make stronger or "
                                            "weaker; try naming the edit."])
    return Outcome("adjust", Plan(out))


def _again(intent: Intent, request: str, ctx: _Ctx) -> Outcome:
    turns = ctx.turns
    steps = [s.copy(id=_new_id(), replaces=None) for s in _last_turn_steps(turns) if s.enabled]
    return Outcome("again", Plan(steps))


def _extend(intent: Intent, request: str, ctx: _Ctx) -> Outcome:
    turns = ctx.turns
    target = intent.target or ""
    if target.lower() in _PRONOUNS:
        return _new(intent, request, ctx)
    steps = [t for t in (_with_target(s, target, replaces=False)
                         for s in _last_turn_steps(turns) if s.enabled) if t is not None]
    return Outcome("extend", Plan(steps))


def _correct(intent: Intent, request: str, ctx: _Ctx) -> Outcome:
    turns, image, understand = ctx.turns, ctx.image, ctx.understand
    last = _last_turn_steps(turns)
    # only ops the correction names count ("no, darker"); a bare region ("no, the sea") makes
    # a model guess ops from nothing, which must not read as an op correction
    new_steps = [s for s in understand(intent.rest, image) if _names_op(intent.rest, s.op)
                 or (s.local and s.target)]
    if new_steps and not all(s.local and s.target for s in new_steps):
        # an op correction ("no, darker"): new steps replace the last turn's
        out = []
        last_by_op = {s.op: s for s in last}
        for s in new_steps:
            prev = last_by_op.pop(s.op, None)
            out.append(s.copy(replaces=prev.id) if prev else s)
        out += [s.copy(enabled=False, id=_new_id(), replaces=s.id) for s in last_by_op.values()]
        return Outcome("correct", Plan(out))
    target = (new_steps[0].target if new_steps else None) or intent.target or ""
    # steps offered switched off stay off: a new region is not a yes to them
    local = [s for s in last if s.local and s.enabled] or [s for s in last if s.enabled] or last
    steps = [t for t in (_with_target(s, target, replaces=True) for s in local) if t is not None]
    return Outcome("correct", Plan(steps))


def _other(intent: Intent, request: str, ctx: _Ctx) -> Outcome:
    turns, image = ctx.turns, ctx.image
    prev = next((s for s in reversed(_live_steps(turns)) if s.local and s.mask is not None), None)
    if prev is None or not prev.target:
        return Outcome("nothing", messages=["Which one? Name it or paint it with the brush."])
    phrase = " ".join(re.sub(_SPATIAL, " ", prev.target).split()) or prev.target
    g = ctx.ground(image, phrase, context=request, op=prev.op)
    if not g.ok or g.mask is None:
        return Outcome("nothing", messages=[g.explanation])
    old = prev.mask
    if old.shape != g.mask.shape:
        from PIL import Image

        old = np.asarray(Image.fromarray(old).resize(g.mask.shape[::-1]), dtype=np.float32)
    rest = np.clip(g.mask - old, 0, 1)
    if rest.sum() < 0.002 * rest.size:
        return Outcome("nothing", messages=[f"I found no other {phrase}; paint it with the brush."])
    noun = re.sub(r"^(the|a|an|this|that)\s+", "", phrase)
    step = prev.copy(mask=rest, target=f"the other {noun}", id=_new_id(), replaces=prev.id,
                     mask_note=f"{g.explanation}, minus the one chosen before")
    return Outcome("correct", Plan([step]))


def _revert(intent: Intent, request: str, ctx: _Ctx) -> Outcome:
    turns = ctx.turns
    if intent.op_word:
        op = _op_for_word(intent.op_word)
        k = next((i for i in range(len(turns) - 1, -1, -1)
                  if any(s.op == op for s in turns[i].plan.steps)), None)
        if k is None:
            return Outcome("nothing", messages=[f"There is no {intent.op_word} in this session."])
        return Outcome("revert", revert_to=k, messages=[f"Back to before the {intent.op_word}."])
    n = intent.revert_to or 0
    msg = "Back to the original." if n == 0 else f"Back to version {n}."
    return Outcome("revert", revert_to=n, messages=[msg])


def _compare(intent: Intent, request: str, ctx: _Ctx) -> Outcome:
    turns, understand = ctx.turns, ctx.understand
    n = intent.revert_to or 0
    base = ctx.session.render(upto=n)
    sub = _new(Intent("new"), intent.rest, _Ctx(turns[:n], ctx.session, base, understand,
                                                 ctx.ground))
    return Outcome("compare", sub.plan, revert_to=n,
                   messages=[f"Starting from version {n}."] + sub.messages)


_HANDLERS = {"new": _new, "adjust": _adjust, "again": _again, "extend": _extend,
             "correct": _correct, "other": _other, "revert": _revert, "compare": _compare}
