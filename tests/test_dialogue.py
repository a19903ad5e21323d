"""Written multi-turn dialogues with the expected live plan after every turn.

The tracker is tested with a small deterministic understanding and grounding (the real models
are tested on their own), so a failure here is a dialogue-state bug. Each expected chain lists
the steps in effect after the turn: `op`, `op@target`, `op=value` (the op's first parameter),
`op!off` (switched off).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from lbie_desktop.core.imageio import LoadedImage
from lbie_desktop.core.ops import get_op
from lbie_desktop.core.plan import Step
from lbie_desktop.core.session import Session
from lbie_desktop.dialogue import apply_outcome, classify, interpret
from lbie_desktop.grounding import Grounding

H, W = 48, 64


def _first(op: str) -> str:
    return get_op(op).params[0].name


_KEYWORDS = [
    (r"\b(brighten|brighter|lighter|lighten)\b", "brightness", 0.2),
    (r"\b(darken|darker)\b", "brightness", -0.2),
    (r"\bcontrast\b", "contrast", 0.3),
    (r"\b(warmer|warm)\b", "temperature", 0.3),
    (r"\b(cooler|colder|cool)\b", "temperature", -0.3),
    (r"\b(saturat\w*|colou?rful|vivid)\b", "saturation", 0.3),
    (r"\bblur\b", "gaussian_blur", None),
    (r"\b(remove|erase|delete)\b", "inpaint_obj", None),
    (r"\bcrop\b", "crop", None),
]


_VALUED = {op for _, op, v in _KEYWORDS if v is not None}


def fake_understand(request: str, image) -> list[Step]:
    text = request.lower()
    steps = []
    for pattern, op, value in _KEYWORDS:
        m = re.search(pattern, text)
        if not m:
            continue
        o = get_op(op)
        params = {}
        if o.params and o.params[0].continuous:
            p = o.params[0]
            params[p.name] = value if value is not None else p.min + (p.max - p.min) * 0.3
        t = re.search(r"\b((?:the|his|her|their|it|them)\b[\w ]*?)(?:\s+(?:and|a bit|too)\b|$)",
                      text[m.end():])
        target = t.group(1).strip() if t else None
        local = op == "inpaint_obj" or bool(target)
        steps.append(Step(op, params, local=local, target=target if local else None,
                          evidence=[m.group(0)]))
    return steps


_BOXES = {"left": (slice(10, 40), slice(2, 20)), "right": (slice(10, 40), slice(44, 62)),
          "sky": (slice(0, 12), slice(0, W)), "sea": (slice(30, H), slice(0, W)),
          "face": (slice(5, 20), slice(25, 40)), "background": (slice(0, H), slice(0, 24))}


def fake_ground(image, phrase: str, context: str = "", op=None) -> Grounding:
    p = phrase.lower()
    mask = np.zeros(image.shape[:2], np.float32)
    if re.search(r"\b(man|woman|person|people|guy)\b", p):
        keys = [k for k in ("left", "right") if k in p] or ["left", "right"]
    else:
        keys = [k for k in _BOXES if k in p]
    if not keys:
        return Grounding(None, f"can't find {phrase}", "none", False)
    for k in keys:
        mask[_BOXES[k]] = 1.0
    return Grounding(mask, f"found {phrase}", "fake", True)


def live(session: Session) -> list[str]:
    out = []
    for s in session.steps():
        desc = s.op
        if s.local and s.target:
            desc += f"@{s.target}"
        op = get_op(s.op)
        if s.op in _VALUED:
            desc += f"={float(s.params[op.params[0].name]):.3g}"
        if not s.enabled:
            desc += "!off"
        out.append(desc)
    return out


def _bt(v: float) -> str:
    return f"brightness={v:.3g}"


DIALOGUES: list[list[tuple[str, list[str]]]] = [
    [("brighten it", [_bt(0.2)]), ("a bit more", [_bt(0.26)]), ("more", [_bt(0.39)]),
     ("too much", [_bt(0.215)])],
    [("brighten it", [_bt(0.2)]), ("much more", [_bt(0.4)]), ("undo that", [_bt(0.2)])],
    [("brighten it", [_bt(0.2)]), ("double it", [_bt(0.4)]), ("half", [_bt(0.2)])],
    [("brighten it", [_bt(0.2)]), ("again", [_bt(0.2), _bt(0.2)]), ("undo", [_bt(0.2)])],
    [("darken it", [_bt(-0.2)]), ("a bit less", [_bt(-0.15)]), ("start over", [])],
    [("brighten it", [_bt(0.2)]), ("increase the contrast", [_bt(0.2), "contrast=0.3"]),
     ("a little more", [_bt(0.2), "contrast=0.39"]), ("undo", [_bt(0.2), "contrast=0.3"])],
    [("brighten it", [_bt(0.2)]), ("more contrast", [_bt(0.2), "contrast=0.3"]),
     ("brighter", [_bt(0.3), "contrast=0.3"])],
    [("brighten it", [_bt(0.2)]), ("darker", [_bt(0.0)]), ("darker", [_bt(-0.2)])],
    [("brighten the face", [_bt(0.2).replace("=", "@the face=")]),
     ("the background too", ["brightness@the face=0.2", "brightness@the background=0.2"]),
     ("undo that", ["brightness@the face=0.2"])],
    [("make it warmer", ["temperature=0.3"]), ("the same to the sky",
                                                ["temperature=0.3", "temperature@the sky=0.3"]),
     ("too much", ["temperature=0.3", "temperature@the sky=0.165"])],
    [("remove the man on the left", ["inpaint_obj@the man on the left"]),
     ("no, the other one", ["inpaint_obj@the other man"]),
     ("undo", ["inpaint_obj@the man on the left"])],
    [("remove the man on the left", ["inpaint_obj@the man on the left"]),
     ("not the man on the left, the man on the right", ["inpaint_obj@the man on the right"]),
     ("brighten it", ["inpaint_obj@the man on the right", "brightness=0.2"])],
    [("brighten the sky", ["brightness@the sky=0.2"]),
     ("not the sky, the sea", ["brightness@the sea=0.2"]),
     ("a bit more", ["brightness@the sea=0.26"]), ("start over", [])],
    [("brighten the sky", ["brightness@the sky=0.2"]), ("no, the sea", ["brightness@the sea=0.2"]),
     ("undo", ["brightness@the sky=0.2"])],
    [("crop it", ["crop"]), ("brighten it", ["crop", _bt(0.2)]),
     ("go back to before the crop", [])],
    [("brighten it", [_bt(0.2)]), ("crop it", [_bt(0.2), "crop"]), ("undo the crop",
                                                                   [_bt(0.2), "crop!off"]),
     ("more", [_bt(0.3), "crop!off"])],
    [("brighten it", [_bt(0.2)]), ("make it warmer", [_bt(0.2), "temperature=0.3"]),
     ("like version 1 but cooler", [_bt(0.2), "temperature=-0.3"])],
    [("brighten it", [_bt(0.2)]), ("more saturated", [_bt(0.2), "saturation=0.3"]),
     ("go back to version 1", [_bt(0.2)]), ("make it warmer", [_bt(0.2), "temperature=0.3"])],
    [("brighten it", [_bt(0.2)]), ("warmer", [_bt(0.2), "temperature=0.3"]),
     ("back to the original", []), ("darken it", [_bt(-0.2)])],
    [("blur the background", ["gaussian_blur@the background"]),
     ("more", ["gaussian_blur@the background"]), ("undo", ["gaussian_blur@the background"])],
    [("brighten it", [_bt(0.2)]), ("no, darker", [_bt(-0.2)]), ("a bit more", [_bt(-0.26)])],
    [("brighten it", [_bt(0.2)]), ("no, I meant more contrast", ["brightness=0.2!off", "contrast=0.3"]),
     ("undo", [_bt(0.2)])],
    [("increase the contrast", ["contrast=0.3"]), ("too strong", ["contrast=0.165"]),
     ("a touch more", ["contrast=0.215"])],
    [("make it warmer", ["temperature=0.3"]), ("way too much", ["temperature=0.105"]),
     ("undo", ["temperature=0.3"]), ("undo", [])],
    [("brighten it", [_bt(0.2)]), ("not enough", [_bt(0.32)]), ("once more", [_bt(0.32), _bt(0.32)])],
    [("brighten the face", ["brightness@the face=0.2"]), ("and the sky", [
        "brightness@the face=0.2", "brightness@the sky=0.2"]), ("a bit less", [
        "brightness@the face=0.2", "brightness@the sky=0.15"])],
    [("brighten the face", ["brightness@the face=0.2"]), ("also the background", [
        "brightness@the face=0.2", "brightness@the background=0.2"]), ("start from scratch", [])],
    [("remove the people", ["inpaint_obj@the people"]), ("brighten it",
                                                         ["inpaint_obj@the people",
                                                          "brightness=0.2"]),
     ("undo", ["inpaint_obj@the people"])],
    [("brighten it", [_bt(0.2)]), ("crop it", [_bt(0.2), "crop"]),
     ("undo", [_bt(0.2)]), ("undo", [])],
    [("make it more colorful", ["saturation=0.3"]), ("even more", ["saturation=0.6"]),
     ("a bit less", ["saturation=0.45"])],
    [("brighten it", [_bt(0.2)]), ("warmer", [_bt(0.2), "temperature=0.3"]),
     ("brighter", [_bt(0.3), "temperature=0.3"]), ("go back to version 2", [_bt(0.2), "temperature=0.3"])],
    [("brighten it", [_bt(0.2)]), ("tone it down", [_bt(0.12)]), ("scratch that", [_bt(0.2)])],
    [("brighten the sky", ["brightness@the sky=0.2"]), ("do the same for the sea",
                                                        ["brightness@the sky=0.2",
                                                         "brightness@the sea=0.2"]),
     ("undo", ["brightness@the sky=0.2"])],
    [("blur the background", ["gaussian_blur@the background"]),
     ("brighten the face", ["gaussian_blur@the background", "brightness@the face=0.2"]),
     ("a bit more", ["gaussian_blur@the background", "brightness@the face=0.26"])],
    [("brighten it", [_bt(0.2)]), ("increase the contrast", [_bt(0.2), "contrast=0.3"]),
     ("like the first version but warmer", [_bt(0.2), "temperature=0.3"])],
    [("make it cooler", ["temperature=-0.3"]), ("a bit more", ["temperature=-0.39"]),
     ("warmer", ["temperature=-0.09"])],
    [("darken it", [_bt(-0.2)]), ("more", [_bt(-0.3)]), ("more", [_bt(-0.45)]),
     ("undo", [_bt(-0.3)]), ("xyzzy plugh qwerty", [_bt(-0.3)])],
    [("brighten the face", ["brightness@the face=0.2"]), ("more", ["brightness@the face=0.3"]),
     ("the sky too", ["brightness@the face=0.3", "brightness@the sky=0.3"])],
    [("remove the man on the right", ["inpaint_obj@the man on the right"]),
     ("the other one", ["inpaint_obj@the other man"]),
     ("brighten it", ["inpaint_obj@the other man", "brightness=0.2"])],
    [("xyzzy plugh", []), ("brighten it", [_bt(0.2)]), ("a bit more", [_bt(0.26)])],
    [("brighten it", [_bt(0.2)]), ("crop it", [_bt(0.2), "crop"]),
     ("make it warmer", [_bt(0.2), "crop", "temperature=0.3"]),
     ("go back to before the crop", [_bt(0.2)])],
    [("increase the contrast", ["contrast=0.3"]), ("brighten it", ["contrast=0.3", _bt(0.2)]),
     ("more contrast", ["contrast=0.45", _bt(0.2)]), ("undo", ["contrast=0.3", _bt(0.2)])],
]


@pytest.fixture
def session():
    img = np.full((H, W, 3), 120, np.uint8)
    img[:, W // 2:] = 60
    return Session(LoadedImage(img))


def test_there_are_at_least_forty_dialogues():
    assert len(DIALOGUES) >= 40
    assert all(3 <= len(d) <= 6 for d in DIALOGUES)


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=[d[0][0] + f"-{i}" for i, d in enumerate(DIALOGUES)])
def test_dialogue(dialogue, session):
    for request, expected in dialogue:
        out = interpret(request, session, understand=fake_understand, ground=fake_ground)
        apply_outcome(session, request, out)
        assert live(session) == expected, f"after {request!r} ({out.summary}; {out.messages})"


def test_follow_up_undo_restores_exact_pixels(session):
    out = interpret("brighten it", session, understand=fake_understand, ground=fake_ground)
    apply_outcome(session, "brighten it", out)
    first = session.current()
    out = interpret("much more", session, understand=fake_understand, ground=fake_ground)
    apply_outcome(session, "much more", out)
    assert session.current().mean() > first.mean()
    out = interpret("undo that", session, understand=fake_understand, ground=fake_ground)
    apply_outcome(session, "undo that", out)
    assert np.array_equal(session.current(), first)


def test_local_follow_up_leaves_outside_of_mask_untouched(session):
    for r in ("brighten the sky", "a bit more"):
        apply_outcome(session, r, interpret(r, session, understand=fake_understand,
                                            ground=fake_ground))
    out = session.current()
    src = session.render(upto=0)
    assert np.array_equal(out[20:], src[20:])  # below the sky box
    assert out[:12].mean() > src[:12].mean()


@pytest.mark.parametrize("text,kind", [
    ("undo", "revert"), ("Undo that.", "revert"), ("start over", "revert"),
    ("a bit more", "adjust"), ("too much", "adjust"), ("again", "again"),
    ("the background too", "extend"), ("no, the woman", "correct"),
    ("like version 1 but warmer", "compare"), ("make the sky bluer", "new"),
])
def test_classify(text, kind):
    assert classify(text, n_turns=2).kind == kind


def test_first_turn_is_never_a_follow_up():
    assert classify("a bit more contrast", n_turns=0).kind == "new"


def test_except_targets_invert_the_grounded_region(session):
    def understand_except(request, image):
        return [Step("brightness", {"amount": 0.3}, local=True, target="not: the sky")]

    out = interpret("brighten everything except the sky", session,
                    understand=understand_except, ground=fake_ground)
    apply_outcome(session, "x", out)
    img, src = session.current(), session.render(upto=0)
    assert np.array_equal(img[:12], src[:12])  # the sky box is untouched
    assert img[20:].mean() > src[20:].mean() + 5
    assert "except" in out.plan.steps[0].mask_note


@pytest.fixture(scope="module")
def colour_photo() -> np.ndarray:
    from PIL import Image
    from skimage import data

    return np.asarray(Image.fromarray(data.astronaut()).resize((W, H)))


def _enabled_ops(chain: list[str]) -> list[str]:
    return [d.split("@")[0].split("=")[0] for d in chain if not d.endswith("!off")]


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=[d[0][0] + f"-{i}" for i, d in enumerate(DIALOGUES)])
def test_dialogue_with_the_real_understanding_model(dialogue, colour_photo):
    """The same conversations through the shipped model (grounding still the test boxes):
    after every turn the switched-on ops are the expected ones, in order."""
    session = Session(LoadedImage(colour_photo.copy()))
    for request, expected in dialogue:
        out = interpret(request, session, ground=fake_ground)
        apply_outcome(session, request, out)
        assert _enabled_ops(live(session)) == _enabled_ops(expected), \
            f"after {request!r} ({out.summary}; {out.messages})"


def test_a_first_turn_pronoun_for_a_person_targets_the_person(session):
    """"cut her out" with nothing edited before: "her" is the person (grounded as such), not
    the whole photo; "it" still means the whole photo."""
    def understand_pronoun(request, image):
        return [Step("brightness", {"amount": 0.3}, local=True, target=request.split()[-1])]

    seen = []

    def ground(image, phrase, context="", op=None):
        seen.append(phrase)
        return fake_ground(image, "the man on the left", context, op)

    out = interpret("brighten her", session, understand=understand_pronoun, ground=ground)
    assert out.plan.steps[0].local and seen == ["her"]
    out = interpret("brighten it", session, understand=understand_pronoun, ground=ground)
    assert not out.plan.steps[0].local


def test_more_after_a_framed_crop_zooms_without_cutting_the_subject(session):
    """"crop to her face", "a bit more": the crop tightens about its centre and still holds
    the face (scaling the margins x1.3 cut into it)."""
    from lbie_desktop.core.plan import Plan
    from lbie_desktop.dialogue import Outcome

    face = (0.30, 0.20, 0.60, 0.70)  # left, top, right, bottom of the subject (fractions)
    margins = {"left": 0.25, "top": 0.12, "right": 0.35, "bottom": 0.22}  # 15% room around it
    crop = Step("crop", margins, target="her face", mask_note="her face found")
    apply_outcome(session, "crop to her face", Outcome("new", Plan([crop])))
    out = interpret("a bit more", session, understand=fake_understand, ground=fake_ground)
    (step,) = [s for s in out.plan.steps if s.enabled]
    p = step.params
    kept = (p["left"], p["top"], 1 - p["right"], 1 - p["bottom"])
    assert kept[2] - kept[0] < 1 - 0.25 - 0.35  # tighter than before
    assert kept[0] <= face[0] and kept[1] <= face[1]
    assert kept[2] >= face[2] and kept[3] >= face[3]  # the face is still all in
