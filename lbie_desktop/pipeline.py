"""One turn's brain: request + image -> a plan whose local steps have masks.

understanding proposes steps; grounding turns each local step's target phrase into a mask.
A local step whose target cannot be found stays in the plan, disabled, with a note asking the
person to paint the region: never a silent wrong mask.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lbie_desktop.core.plan import Plan, Step


@dataclass
class TurnPlan:
    plan: Plan
    messages: list[str] = field(default_factory=list)


def plan_request(request: str, image_rgb: np.ndarray) -> TurnPlan:
    from lbie_desktop.grounding import ground
    from lbie_desktop.understanding import understand

    messages: list[str] = []
    steps: list[Step] = []
    for step in understand(request, image_rgb):
        if step.local and step.mask is None:
            g = ground(image_rgb, step.target or "", context=request, op=step.op)
            if g.ok and g.mask is not None:
                step = step.copy(mask=g.mask, mask_note=g.explanation)
            else:
                step = step.copy(enabled=False, mask_note=g.explanation)
                messages.append(g.explanation)
        steps.append(step)
    if not steps:
        messages.append("Nothing to do: I didn't recognise an edit in that request.")
    return TurnPlan(Plan(steps), messages)
