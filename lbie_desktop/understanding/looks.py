"""Named looks ("make it look vintage", "a moody, cinematic feel"): a set of steps per look.

A look is named only in a look's frame ("make it look vintage", "vintage look", "give it a
film feel", "like an old photo", "more cinematic", "make it a bit moody"), never by the word
alone ("remove the old car", "the film poster"); "make the sky dramatic" names a region, which
looks leave to the ordinary steps. Intensity words around the look scale it ("a bit vintage",
"very moody"), and the photo tempers it: a dark photo is darkened less by "moody", a bright
one brightened less by "airy", a warm one warmed less by "golden hour", and a black-and-white
photo gets no colour steps.

Tone and colour curves are written as offsets from the diagonal at the 9 knots 0, 1/8 .. 1
(see `curve_from_offsets`). The curves keep 0 and 1 fixed, so faded blacks are a lightness
lift (L* up: black turns dark grey) with a curve that takes the mids back down; split toning
bows each channel's shadows and highlights apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lbie_desktop.core.ops.pixel_math import curve_from_offsets
from lbie_desktop.core.plan import Step
from lbie_desktop.understanding.measure import ImageStats
from lbie_desktop.understanding.params import intensity

Offsets = tuple[float, ...]  # 9 knots
Params = dict[str, object]
# (op, params at intensity k on the photo, the photo's reason or None)
StepMaker = Callable[[float, ImageStats | None], tuple[str, Params, str | None]]

COLOUR_OPS = frozenset({"temperature", "hue", "saturation", "vibrance", "black_white",
                        "recolor"})
CONFIDENCE = 0.8


def _clip(v: float, lo: float, hi: float) -> float:
    return float(min(max(v, lo), hi))


def _curve(offsets: Offsets, k: float) -> list[float]:
    return curve_from_offsets([o * k for o in offsets], 8)


def tone(offsets: Offsets) -> StepMaker:
    return lambda k, s: ("tint", {"points": _curve(offsets, k)}, None)


def colour(r: Offsets, g: Offsets, b: Offsets) -> StepMaker:
    return lambda k, s: ("hue", {"points": _curve(r, k) + _curve(g, k) + _curve(b, k)}, None)


def scalar(op: str, amount: float, lo: float = -1.0, hi: float = 1.5, **fixed: object
           ) -> StepMaker:
    name = "temperature" if op == "temperature" else "amount"
    return lambda k, s: (op, {name: round(_clip(amount * k, lo, hi), 3), **fixed}, None)


def toward_luma(want: float, full: float) -> StepMaker:
    """Brightness that moves the photo toward `want` (median luma): the full amount on a
    typical photo (median ~0.47), less the nearer the photo already is, a touch when it is
    already there (the look still shows)."""
    def make(k: float, s: ImageStats | None) -> tuple[str, Params, str | None]:
        if s is None:
            return "brightness", {"amount": round(full * k, 3)}, None
        share = _clip((s.luma_median - want) / (0.47 - want), 0.2, 1.1)
        why = (f"image: median brightness {s.luma_median:.2f} (look ~{want:g})"
               + (": already there, a touch" if share == 0.2 else ""))
        return "brightness", {"amount": round(_clip(full * share * k, -0.6, 0.6), 3)}, why
    return make


def warmth(full: float, tint: float = 0.0) -> StepMaker:
    """White balance toward warm (+) or cool (-), less when the photo already leans that way
    (its cast b*: + yellow, - blue)."""
    def make(k: float, s: ImageStats | None) -> tuple[str, Params, str | None]:
        share, why = 1.0, None
        if s is not None:
            lean = s.cast_b if full > 0 else -s.cast_b
            share = _clip(1 - (lean - 3) / 17, 0.25, 1.0)  # a cast under 3 is neutral
            if share < 1:
                why = f"image: colour cast b*={s.cast_b:+.1f}: already {'warm' if full > 0 else 'cool'}"
        return ("temperature", {"temperature": round(_clip(full * share * k, -1, 1), 3),
                                "tint": round(_clip(tint * k, -1, 1), 3)}, why)
    return make


def colour_amount(op: str, full: float) -> StepMaker:
    """Saturation / vibrance: a boost shrinks on an already colourful photo, a cut on an
    already muted one."""
    def make(k: float, s: ImageStats | None) -> tuple[str, Params, str | None]:
        share, why = 1.0, None
        if s is not None:
            sat = s.saturation_mean
            share = (_clip((0.6 - sat) / 0.3, 0.2, 1.0) if full > 0
                     else _clip((sat - 0.08) / 0.2, 0.2, 1.0))
            if share < 1:
                why = f"image: saturation {sat:.2f}: already {'vivid' if full > 0 else 'muted'}"
        return op, {"amount": round(_clip(full * share * k, -1, 1.5), 3)}, why
    return make


@dataclass(frozen=True)
class Look:
    name: str
    words: str  # regex of the words that name it
    what: str  # shown in the evidence
    steps: tuple[StepMaker, ...]


# Split toning: shadows bow one way, highlights the other; 0 and 1 stay put.
_SHADOW_BOW: Offsets = (0, .6, .8, .5, 0, 0, 0, 0, 0)
_HIGH_BOW: Offsets = (0, 0, 0, 0, 0, .5, .8, .6, 0)
_MID_BOW: Offsets = (0, .3, .6, .85, 1, .85, .6, .3, 0)


def _mix(*parts: tuple[float, Offsets]) -> Offsets:
    return tuple(sum(w * o[i] for w, o in parts) for i in range(9))


LOOKS: tuple[Look, ...] = (
    Look("noir", r"(?:film[- ])?noir", "black and white, hard contrast, deep shadows",
         (scalar("black_white", 1.0, 0, 1, filter="orange"), scalar("contrast", 0.4, -1, 1),
          tone((0, -.015, -.025, -.015, 0, .015, .02, .015, 0)),
          scalar("shadows", -0.25, -1, 1), scalar("vignette", -0.7, -2, 0))),
    Look("sepia", r"sepia|antique|daguerreotype", "brown-toned monochrome, soft contrast",
         (scalar("black_white", 1.0, 0, 1), tone((0, .05, .05, .03, .01, 0, 0, 0, 0)),
          scalar("contrast", -0.1, -1, 1),
          lambda k, s: ("recolor", {"color": [0.44, 0.26, 0.08],
                                    "strength": round(_clip(0.45 * k, 0.1, 0.9), 3)}, None),
          scalar("vignette", -0.4, -2, 0))),
    Look("vintage", r"vintage|retro|old[- ]school|old[- ]fashioned|polaroid|nostalgic|"
                    r"(?:19)?[5-8]0'?s|old (?:photo(?:graph)?|picture|print|snapshot)s?",
         "faded blacks, warm cream highlights, less saturation",
         (scalar("lightness", 8, 0, 20), tone((0, .03, .01, -.01, -.03, -.035, -.03, -.02, 0)),
          scalar("contrast", -0.12, -1, 1),
          warmth(0.2),
          colour(_mix((.01, _MID_BOW)), _mix((.01, _SHADOW_BOW), (.015, _HIGH_BOW)),
                 _mix((.025, _SHADOW_BOW), (-.05, _HIGH_BOW))),
          colour_amount("saturation", -0.35), scalar("vignette", -0.5, -2, 0))),
    Look("film", r"film|analog(?:ue)?|35 ?mm|kodak|portra|fuji(?:film)?|kodachrome",
         "gently lifted blacks, greenish shadows, warm highlights",
         (tone((0, .05, .035, .01, -.01, -.01, -.005, 0, 0)), scalar("contrast", 0.1, -1, 1),
          colour(_mix((-.03, _SHADOW_BOW), (.035, _HIGH_BOW)),
                 _mix((.025, _SHADOW_BOW), (.01, _HIGH_BOW)),
                 _mix((.01, _SHADOW_BOW), (-.045, _HIGH_BOW))),
          colour_amount("saturation", -0.15))),
    Look("faded", r"faded|matte|washed[- ]out", "lifted blacks, soft contrast, muted colour",
         (scalar("lightness", 12, 0, 24), tone((0, .04, 0, -.035, -.055, -.06, -.05, -.03, 0)),
          scalar("contrast", -0.2, -1, 1),
          colour_amount("saturation", -0.3))),
    Look("cinematic", r"cinematic|movie|hollywood|blockbuster|teal[- ](?:and|&)[- ]orange",
         "teal shadows, orange highlights, contrast",
         (scalar("contrast", 0.2, -1, 1), tone((0, -.01, -.015, -.01, 0, .01, .015, .01, 0)),
          colour(_mix((-.065, _SHADOW_BOW), (.05, _HIGH_BOW)),
                 _mix((.02, _SHADOW_BOW), (-.01, _HIGH_BOW)),
                 _mix((.08, _SHADOW_BOW), (-.07, _HIGH_BOW))),
          colour_amount("saturation", -0.1), scalar("vignette", -0.4, -2, 0))),
    Look("moody", r"moody|brooding|melancholic|sombre|somber|gloomy",
         "darker, cooler, muted, tamed highlights",
         (toward_luma(0.3, -0.3), scalar("contrast", 0.15, -1, 1),
          tone((0, -.01, -.02, -.015, -.01, 0, 0, 0, 0)),
          scalar("highlights", -0.3, -1, 1), warmth(-0.15), colour_amount("saturation", -0.3),
          scalar("vignette", -0.6, -2, 0))),
    Look("low-key", r"low[- ]key", "dark tones, deep shadows, spotlit centre",
         (toward_luma(0.25, -0.35), scalar("contrast", 0.25, -1, 1),
          scalar("shadows", -0.25, -1, 1), scalar("vignette", -0.7, -2, 0))),
    Look("dramatic", r"dramatic|gritty|intense|epic", "hard contrast, detail, darker edges",
         (scalar("contrast", 0.4, -1, 1), scalar("highlights", -0.35, -1, 1),
          scalar("dehaze", 0.15, 0, 1), colour_amount("saturation", -0.15),
          scalar("vignette", -0.6, -2, 0), scalar("sharpness", 0.6, -1, 3, radius=1.0))),
    Look("HDR", r"hdr|high[- ]dynamic[- ]range", "open shadows, recovered highlights, local "
         "contrast", (scalar("shadows", 0.5, -1, 1), scalar("highlights", -0.5, -1, 1),
                      colour_amount("saturation", -0.12),
                      scalar("sharpness", 0.5, -1, 3, radius=1.2))),
    Look("dreamy", r"dreamy|dreamlike|ethereal|soft[- ]focus|soft|hazy",
         "soft contrast and focus, lighter, gently warm",
         (toward_luma(0.6, 0.12), scalar("contrast", -0.3, -1, 1),
          tone((0, .04, .04, .02, 0, 0, 0, 0, 0)), warmth(0.1),
          colour_amount("saturation", -0.12), scalar("sharpness", -0.6, -1, 3))),
    Look("airy", r"airy|high[- ]key|light and airy|bright and airy",
         "light, open shadows, soft contrast",
         (toward_luma(0.64, 0.3), scalar("shadows", 0.35, -1, 1),
          scalar("contrast", -0.2, -1, 1), colour_amount("saturation", -0.3))),
    Look("punchy", r"punchy|poppy|pop", "contrast, richer colour, crisp detail",
         (scalar("contrast", 0.3, -1, 1), scalar("dehaze", 0.1, 0, 1),
          colour_amount("vibrance", 0.5), scalar("sharpness", 0.5, -1, 3))),
    Look("golden hour", r"golden[- ]hour|golden|sunset|warm summer|summery|sun[- ]?kissed|"
                        r"summer", "warm light, golden highlights",
         (warmth(0.4), colour(_mix((.03, _HIGH_BOW), (.01, _MID_BOW)),
                              _mix((.012, _HIGH_BOW)), _mix((-.04, _HIGH_BOW))),
          scalar("highlights", 0.1, -1, 1), colour_amount("vibrance", 0.2))),
    Look("wintry", r"wintry|wintery|winter|icy|cold|frosty|frozen|arctic",
         "cool white balance, blue shadows, muted colour",
         (warmth(-0.4), colour(_mix((-.02, _SHADOW_BOW)), _mix(), _mix((.03, _SHADOW_BOW))),
          colour_amount("saturation", -0.25), scalar("highlights", 0.1, -1, 1))),
)

# The frames a look's word must stand in. {w} is the look's word pattern.
_SUBJECT = r"(?:it|this|that|the (?:photo|picture|image|shot|pic|whole thing)|everything)"
_AMOUNT = (r"(?:(?:a|an|more|much|very|really|super|quite|slightly|somewhat|extra|bit|little|"
           r"tad|touch|lot|way|even|so|of|some)\s+){0,3}")
_NOUN = (r"(?:look|feel|feeling|vibe|vibes|style|effect|filter|mood|tone|tones|aesthetic|"
         r"grade|grading|treatment|preset|atmosphere|edit)")
_FRAMES = (
    # "make it look vintage", "I want it to feel more cinematic", "look more cinematic"
    rf"(?:\b(?:make|let|have|want|need|like|get)\s+{_SUBJECT}\s+(?:to\s+)?|"
    rf"\b{_SUBJECT}\s+(?:should|could|would|must|can|to|will)\s+|^(?:please\s+)?)"
    rf"(?:look|feel|seem)\s+{_AMOUNT}(?:like\s+{_AMOUNT})?({{w}})\b",
    # "vintage look", "a film-style edit", "cinematic colour grade", "a moody, cinematic feel"
    rf"\b({{w}})(?:[- ]style)?(?:(?:,\s*|\s+and\s+|\s+)(?:{{any}}))*"
    rf"(?:\s+(?:colou?r|photo|film|movie))?\s+{_NOUN}\b",
    # "make it a bit moody", "turn the photo more cinematic"
    rf"\b(?:make|turn|render|get)\s+{_SUBJECT}\s+{_AMOUNT}({{w}})\b",
    # "more cinematic", "very moody please", "vintage, and crop it": the look on its own
    rf"^(?:please\s+)?{_AMOUNT}({{w}})\s*(?:please|pls)?\s*(?:[.!]|,|\band\b|$)",
    # "like an old photo", "as if shot on film", "in the style of a 70s print"
    r"\b(?:like|as if (?:it was |it were )?(?:shot|taken) on|in the style of)\s+"
    r"(?:an?\s+|the\s+)?(?:\w+\s+)?({w})\b",
    # "vintage-y", "moody-ish"
    r"\b({w})-?(?:y|ish)\b",
)
# A look the words undo or complain about: "remove the vintage filter", "it's too moody",
# "remove brown and sepia tones" (unless a later verb asks for it: "remove the man and make
# it vintage")
_UNDO = re.compile(r"\b(?:remov\w*|undo|get rid|fix\w*|less|too|not|don't|no|without|reduc\w*|"
                   r"decreas\w*|lower|tone down|restor\w*|instead of)\b", re.I)
_ASK = re.compile(r"\b(?:make|give|add|turn|apply|want|like|create|put|go|render)\b", re.I)
_SENTENCE = re.compile(r"[,;.!?]")
# A description's leading words, up to what it describes ("a vintage, moody photo")
_LEAD = re.compile(r"^.*?\b(?:photo|photograph|picture|image|shot|scene|portrait|landscape|"
                   r"look|version|feel)\b", re.I)
_BREAK = re.compile(r"[,;.!?]|\b(?:and|but|then|also|plus|while)\b", re.I)


@dataclass(frozen=True)
class Named:
    look: Look
    words: str  # what the person wrote
    k: float
    k_words: str | None
    start: int
    end: int


def _compiled() -> list[tuple[Look, list[re.Pattern[str]]]]:
    every = "|".join(lk.words for lk in LOOKS)
    return [(lk, [re.compile(f.replace("{w}", f"(?:{lk.words})").replace("{any}", every), re.I)
                  for f in _FRAMES]) for lk in LOOKS]


_PATTERNS = _compiled()


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    before = [m.end() for m in _BREAK.finditer(text, 0, start)]
    after = _BREAK.search(text, end)
    return before[-1] if before else 0, after.start() if after else len(text)


def _undone(text: str, start: int) -> bool:
    breaks = [m.end() for m in _SENTENCE.finditer(text, 0, start)]
    undo = list(_UNDO.finditer(text, breaks[-1] if breaks else 0, start))
    # "don't make it look vintage": a negation holds across the verb after it
    return bool(undo) and (undo[-1].group(0).lower() in ("not", "don't")
                           or not _ASK.search(text, undo[-1].end(), start))


def named_looks(text: str, described: bool = False) -> list[Named]:
    """The looks the words name, in the order written. `described`: the request describes
    the wanted photo ("a vintage photo with warm tones"), so its leading adjectives name
    looks too."""
    found: list[Named] = []
    lead = _LEAD.match(text) if described else None
    for lk, pats in _PATTERNS:
        spans = [m.span(1) for p in pats for m in p.finditer(text)]
        if lead is not None:
            spans += [m.span() for m in re.finditer(rf"\b(?:{lk.words})\b", text[:lead.end()],
                                                    re.I)]
        # one word, one look ("film noir" is noir, not film); and not a look undone
        spans = [sp for sp in spans if not any(n.start <= sp[0] < n.end for n in found)
                 and not _undone(text, sp[0])]
        if spans:
            a, b = min(spans)
            # intensity words of the look's own clause ("brighten it a lot and make it a bit
            # vintage": "a bit" is the vintage's)
            k, kw = intensity(text[slice(*_clause(text, a, b))])
            found.append(Named(lk, text[a:b], k, kw, a, b))
    return sorted(found, key=lambda n: n.start)


def steps_for(named: list[Named], stats: ImageStats | None) -> list[Step]:
    """One step per op; an op two looks share keeps the first-named look's setting."""
    steps: dict[str, Step] = {}
    grey = stats is not None and stats.grey
    for n in named:
        why_look = f'look: "{n.words}" ({n.look.what})'
        # a look moves several things at once, so "very" strengthens each of them less than
        # it would one slider (x1.8 -> x1.4): a very moody photo stays a photo
        k = n.k if n.k <= 1 else 1 + 0.5 * (n.k - 1)
        for make in n.look.steps:
            op, params, why = make(k, stats)
            if op in steps:
                continue
            # a black-and-white photo has no colour to grade; sepia's toning is the look
            if grey and op in COLOUR_OPS and not (op == "recolor" and n.look.name == "sepia"):
                continue
            evidence = [why_look]
            if n.k_words:
                evidence.append(f'intensity: "{n.k_words}" (x{k:g})')
            if why:
                evidence.append(why)
            steps[op] = Step(op, params, confidence=CONFIDENCE, evidence=evidence)
    return list(steps.values())


def look_steps(text: str, stats: ImageStats | None) -> list[Step]:
    """The steps of the look the words name (global, enabled), or [] when none is named."""
    return steps_for(named_looks(text), stats)
