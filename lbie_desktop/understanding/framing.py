"""Crops framed on a subject ("zoom in on the dog", "crop to her face").

The words give a crop step whose `target` names the subject and whose margins stay 0 until
the pipeline finds the subject: `frame_margins` then turns the subject's mask into margins
(its box plus some room, widened to a named shape). "crop it", "crop the edges", "crop out the
bottom", "crop it to a square" name no subject and give None. `crop_out_step` reads the
opposite ("crop out the person on the left"): the thing is cut out of the frame from its side.
"""

from __future__ import annotations

import re

import numpy as np

from lbie_desktop.core.plan import Step
from lbie_desktop.understanding.measure import ImageStats
from lbie_desktop.understanding.params import _aspect
from lbie_desktop.understanding.targets import NOT_PREFIX, find_targets

SIDES = ("left", "top", "right", "bottom")
ROOM = 0.15  # of the subject's box, each side: a crop flush with the subject looks cramped
# a box with room that leaves less than this much of the photo out is no zoom: the room goes
NEAR_FULL = 0.9
MIN_SIDE = 0.1  # of the frame: a tiny subject still gives a crop worth looking at
CONFIDENCE = 0.9

# A framing verb, words that only say how ("it", "in closer", "tighter"), then the word that
# leads to the subject ("on", "to", "around", "so only"); "frame"/"reframe" also take the
# subject directly ("frame the woman"). "crop out ..." cuts something away: not a framing.
_HOW = (r"(?:\s+(?:it|this|that|the (?:photo|picture|image|shot|pic|frame)|in|down|"
        r"tight(?:er|ly)?|clos(?:e|er)(?:\s+up)?|a (?:bit|little)|slightly|more|right|"
        r"way|nicely))*")
_LEAD = (r"\s+(?:(?:in\s+)?(?:to|on|onto|into|around|round|about)|so(?:\s+that)?"
         r"|leaving|until)(?:\s+(?:only|just))?\s+")
_VERB = (r"(?:crop(?:s|ped|ping)?|zoom(?:s|ed|ing)?|trim(?:s|med|ming)?|tighten(?:s|ed|ing)?|"
         r"close(?=\s+in\b))")
_CUE = re.compile(rf"\b(?:{_VERB}(?:\s+in)?{_HOW}{_LEAD}"
                  rf"|(?<!\ba )(?<!\ban )(?<!\bthe )(?:re)?frame[sd]?\s+(?=\w))", re.I)
# Places and shapes are where to cut, not a subject ("crop to the left half", "to the centre")
_PLACE = re.compile(r"^(?:(?:the|a|an|its|this|that)\s+)?(?:(?:left|right|top|bottom|upper|"
                    r"lower|middle|centre|center|central|outer|inner|side|sides|half|halves|"
                    r"third|thirds|quarter|part|portion|area|edges?|corners?|borders?|frame|"
                    r"square|portrait|landscape|format|size|ratio|aspect|shape|horizon|"
                    r"point|spot|detail|rule of)\b[\s-]*)+$", re.I)
_NOT_SUBJECT = re.compile(r"^(?:them|this|that|these|those|one|you|me|us)$", re.I)
# "crop it so the man is out": the phrase names what goes, not what the crop is on
_GONE = re.compile(r"\s+(?:is|are)\s+(?:out|gone|cut|removed|not|no longer)\b", re.I)


def subject_crop_step(text: str, stats: ImageStats | None) -> Step | None:
    """A crop step framed on the subject the words name, or None."""
    for m in _CUE.finditer(text):
        # the subject phrase starts right after the cue: read it as targets.py reads
        # "on <phrase>", then move its span back into the request
        probe = "on " + text[m.end():]
        t = next((t for t in find_targets(probe) if t.start == 3), None)
        if t is None or _PLACE.match(t.phrase) or _NOT_SUBJECT.match(t.phrase) \
                or _aspect(t.phrase):
            continue
        start = m.end() + t.start - 3
        if _GONE.match(text, start + len(t.phrase)):
            continue
        evidence = [f'words: "{text[m.start():start + len(t.phrase)]}"',
                    f'framed on "{t.phrase}" once found']
        aspect = _aspect(text)
        if aspect is not None:
            evidence.append(f'words: "{aspect[1]}": the framing takes that shape')
        return Step("crop", {s: 0.0 for s in SIDES}, confidence=CONFIDENCE, local=False,
                    target=t.phrase, evidence=evidence)
    return None


# "crop out the person on the left", "crop the bin out of the frame": the thing is cut away by
# cropping from its side. Borders, bars and sides ("crop out the bottom") are a plain trim, and
# what surrounds everything (the background) cannot be cropped away.
_CROP = r"\bcrop(?:s|ped|ping)?\s+"
_CROP_OUT = re.compile(rf"{_CROP}(?:out|off|away)\s+(?:of\s+)?", re.I)
# "crop the bin out (of the frame)": the thing between the verb and "out"
_CROP_X_OUT = re.compile(rf"{_CROP}([^,.;:!?()\n]{{1,60}}?)\s+(?:out|off|away)\b", re.I)
_TRIMMED = re.compile(r"\b(?:borders?|bars?|edges?|margins?|frames?|sides?|strips?|space|"
                      r"bits?|background|foreground|surroundings|rest|everything)$", re.I)
_WHERE = re.compile(r"\s+(?:on|at|in|of|near|by|behind|next to)\s+.*$", re.I)
MAX_CUT = 0.5  # of the photo: a thing in the middle is removed, not cropped away


def crop_out_step(text: str, stats: ImageStats | None) -> Step | None:
    """A crop that cuts the named thing out of the frame ("crop out the person on the left"),
    or None. Its target is "not: <thing>": the photo without it, as for exclusions."""
    # (where the thing starts, the words that hold it, the match)
    cands = [(m.end(), text[m.end():], m) for m in _CROP_OUT.finditer(text)]
    cands += [(m.start(1), m.group(1), m) for m in _CROP_X_OUT.finditer(text)]
    for at, words, m in cands:
        t = next((t for t in find_targets("on " + words) if t.start == 3), None)
        if t is None or _NOT_SUBJECT.match(t.phrase) or _trimmed(t.phrase):
            continue
        phrase = t.phrase
        end = at + len(phrase)
        evidence = [f'words: "{text[m.start():max(end, m.end())]}"',
                    f'cropped away "{phrase}" once found']
        return Step("crop", {s: 0.0 for s in SIDES}, confidence=CONFIDENCE, local=False,
                    target=NOT_PREFIX + phrase, evidence=evidence)
    return None


def trims_a_margin(text: str, phrase: str) -> bool:
    """"crop out the bottom", "crop off the black border": the words crop a margin or place
    away, so `phrase` is no object to remove."""
    return any(m.end() < len(text) and text[m.end():].lower().startswith(phrase.lower())
               for m in _CROP_OUT.finditer(text)) and _trimmed(phrase)


def _trimmed(phrase: str) -> bool:
    """Borders, sides and places are trimmed by a plain crop: "the black border (on the
    left)", "the bottom"; "the guy at the edge" is a thing."""
    head = _WHERE.sub("", phrase)
    return bool(_PLACE.match(head) or _TRIMMED.search(head))


def cut_away_margins(mask: np.ndarray, request: str, phrase: str
                     ) -> tuple[dict[str, float] | None, str]:
    """Margins that crop the mask's thing out of the frame from the side that loses the least
    of the photo, and a note; no margins (None) when the thing is not there or too central."""
    box = subject_box(mask)
    if box is None:
        return None, f"I found no {phrase} to crop away"
    h, w = np.asarray(mask).shape[:2]
    x0, y0, x1, y1 = box
    gx, gy = 0.01 * w, 0.01 * h  # a soft edge left in the frame would show as a sliver
    cuts = {"left": (x1 + gx) / w, "right": 1 - (x0 - gx) / w,
            "top": (y1 + gy) / h, "bottom": 1 - (y0 - gy) / h}
    side = min(cuts, key=cuts.__getitem__)
    if cuts[side] > MAX_CUT:
        return None, (f"{phrase} is too far inside the photo: cropping it away would cut "
                      f"{cuts[side]:.0%} of it; remove it instead")
    params = {s: 0.0 for s in SIDES}
    params[side] = float(np.ceil(cuts[side] * 1e4 - 1e-6) / 1e4)  # rounded up: no sliver
    return params, f"{phrase} found at {x1 - x0}x{y1 - y0} px; cropped {cuts[side]:.0%} " \
                   f"off the {side}"


def is_unframed(step: Step) -> bool:
    """A crop on (or cutting away) a named thing that the pipeline has not yet found: no
    margins and no note on the finding."""
    return (step.op == "crop" and bool(step.target) and not step.mask_note
            and not any(float(step.params.get(s, 0.0)) for s in SIDES))


def subject_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1), end-exclusive, of the mask's confident parts; specks far smaller than
    the main part (a stray GrabCut island) do not stretch the box."""
    import cv2

    on = (np.asarray(mask) > 0.5).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(on, connectivity=8)
    if n < 2:
        return None
    area = stats[1:, cv2.CC_STAT_AREA]
    keep = stats[1:][area >= 0.05 * area.max()]
    x0, y0 = keep[:, cv2.CC_STAT_LEFT].min(), keep[:, cv2.CC_STAT_TOP].min()
    x1 = (keep[:, cv2.CC_STAT_LEFT] + keep[:, cv2.CC_STAT_WIDTH]).max()
    y1 = (keep[:, cv2.CC_STAT_TOP] + keep[:, cv2.CC_STAT_HEIGHT]).max()
    return int(x0), int(y0), int(x1), int(y1)


def _grow(lo: float, hi: float, want: float, size: float) -> tuple[float, float]:
    """The span [lo, hi] widened about its centre to `want` (at most `size`), kept inside
    [0, size]."""
    want = min(want, size)
    if want <= hi - lo:
        return lo, hi
    lo = min(max((lo + hi - want) / 2, 0.0), size - want)
    return lo, lo + want


def frame_margins(mask: np.ndarray, request: str, phrase: str
                  ) -> tuple[dict[str, float] | None, str]:
    """Crop margins that frame the mask's subject, and a note saying how; no margins (None)
    if the mask holds no subject."""
    box = subject_box(mask)
    if box is None:
        return None, f"I found no {phrase} to crop to"
    h, w = np.asarray(mask).shape[:2]
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    room = ROOM
    cx0, cx1 = max(0.0, x0 - room * bw), min(float(w), x1 + room * bw)
    cy0, cy1 = max(0.0, y0 - room * bh), min(float(h), y1 + room * bh)
    if (cx1 - cx0) * (cy1 - cy0) > NEAR_FULL * w * h:  # "zoom in" must still zoom in
        room, cx0, cy0, cx1, cy1 = 0.0, float(x0), float(y0), float(x1), float(y1)
    cx0, cx1 = _grow(cx0, cx1, MIN_SIDE * w, w)
    cy0, cy1 = _grow(cy0, cy1, MIN_SIDE * h, h)
    how = [f"{phrase} found at {bw}x{bh} px of {w}x{h}",
           f"{room:.0%} room each side" if room else "it nearly fills the photo: no room added"]
    aspect = _aspect(request)
    if aspect is not None:
        ratio = aspect[0]
        cw, ch = cx1 - cx0, cy1 - cy0
        if cw / ch < ratio:  # too narrow: widen, or if the photo is too narrow, cut height
            cx0, cx1 = _grow(cx0, cx1, ch * ratio, w)
            ch = (cx1 - cx0) / ratio
            mid = min(max((cy0 + cy1) / 2, ch / 2), h - ch / 2)
            cy0, cy1 = mid - ch / 2, mid + ch / 2
        else:
            cy0, cy1 = _grow(cy0, cy1, cw / ratio, h)
            cw = (cy1 - cy0) * ratio
            mid = min(max((cx0 + cx1) / 2, cw / 2), w - cw / 2)
            cx0, cx1 = mid - cw / 2, mid + cw / 2
        cut = cx0 > x0 + 0.5 or cx1 < x1 - 0.5 or cy0 > y0 + 0.5 or cy1 < y1 - 0.5
        how.append(f'shaped "{aspect[1]}"' + (f" (the photo is too small for {phrase} to fit "
                                              "that shape whole)" if cut else ""))
    # margins rounded down to 1e-4, so rounding never trims the subject
    sides = dict(zip(SIDES, (cx0 / w, cy0 / h, 1 - cx1 / w, 1 - cy1 / h), strict=True))
    params = {s: max(0.0, float(np.floor(v * 1e4 + 1e-6) / 1e4)) for s, v in sides.items()}
    if not any(params.values()):
        how.append("it fills the photo: nothing to crop")
    return params, "; ".join(how)
