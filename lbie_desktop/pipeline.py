"""One turn's brain: request + image -> a plan whose local steps have masks.

understanding proposes steps; grounding turns each local step's target phrase into a mask,
and a crop's subject ("zoom in on the dog") into its margins.
A local step whose target cannot be found stays in the plan, disabled, with a note asking the
person to paint the region: never a silent wrong mask. Multi-turn follow-ups ("a bit more",
"the background too", "undo that") go through `lbie_desktop.dialogue` first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.targets import EXCLUDE, target_mask

UnderstandFn = Callable[[str, np.ndarray | None], list[Step]]
GroundFn = Callable[..., object]


@dataclass
class TurnPlan:
    plan: Plan
    messages: list[str] = field(default_factory=list)


def default_understand(request: str, image: np.ndarray | None) -> list[Step]:
    from lbie_desktop.understanding import understand

    return understand(request, image)


def default_ground(image: np.ndarray, phrase: str, context: str = "", op: str | None = None):
    from lbie_desktop.grounding import ground

    return ground(image, phrase, context=context, op=op)




def ground_steps(steps: Sequence[Step], image_rgb: np.ndarray, request: str,
                 ground: GroundFn | None = None) -> tuple[list[Step], list[str]]:
    """Give every local step that lacks a mask one from its target phrase, and every crop
    framed on a subject its margins."""
    from lbie_desktop.understanding.framing import is_unframed

    ground = ground or default_ground
    out: list[Step] = []
    messages: list[str] = []
    for step in steps:
        if is_unframed(step):
            step = _framed(step, image_rgb, request, ground, messages)
        elif step.local and step.mask is None:
            found = target_mask(image_rgb, step.target or "", ground, request=request,
                                op=step.op)
            if found.mask is not None:
                step = step.copy(mask=found.mask, mask_note=found.note, avoid=found.avoid)
            else:
                step = step.copy(enabled=False, mask_note=found.note)
                messages.append(found.note)
        out.append(step)
    return out, messages


def _framed(step: Step, image_rgb: np.ndarray, request: str, ground: GroundFn,
            messages: list[str]) -> Step:
    """A crop framed on its target ("zoom in on the dog": the subject's box plus room) or
    cutting it away ("not: the person on the left"). Not found: switched off with the reason,
    never a crop around a guess."""
    from lbie_desktop.grounding.api import PAINT
    from lbie_desktop.understanding.framing import cut_away_margins, frame_margins

    target = step.target or ""
    away = target.startswith(EXCLUDE)
    phrase = target[len(EXCLUDE):] if away else target
    g = ground(image_rgb, phrase, context=request, op=step.op)
    if g.ok and g.mask is not None:
        params, how = (cut_away_margins if away else frame_margins)(g.mask, request, phrase)
    else:
        params, how = None, g.explanation
    if params is None:
        why = how.replace(PAINT, "set the crop's sides on its card")  # a crop takes no brush
        messages.append(why)
        return step.copy(enabled=False, mask_note=why)
    return step.copy(params=params, mask_note=f"{how} ({g.explanation})")


def plan_request(request: str, image_rgb: np.ndarray, *, understand: UnderstandFn | None = None,
                 ground: GroundFn | None = None) -> TurnPlan:
    steps = (understand or default_understand)(request, image_rgb)
    steps, messages = ground_steps(steps, image_rgb, request, ground)
    if not steps:
        messages.append("Nothing to do: I didn't recognise an edit in that request.")
    return TurnPlan(Plan(steps), messages)
