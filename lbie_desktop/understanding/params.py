"""How much: parameters from intensity words, direction words and the image itself.

`choose_params(op, text, stats)` returns registry params plus the reasons (shown on the card).
Direction comes from words ("darker", "too dark" = brighter, "less contrast"); size from
intensity words ("slightly" x0.5, "much more" x1.8) or, when the words give no direction
("make this better"), from measuring the image and moving it toward a natural target.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lbie_desktop.understanding.colours import COLOUR_RE, COLOURS, COMPARATIVES
from lbie_desktop.understanding.measure import ImageStats

# (pattern, multiplier): first match wins, so longer phrases come first.
_INTENSITY: list[tuple[str, float]] = [
    # "brighten it but not too much": "much" here asks for restraint
    (r"not (?:too|so|that|very) much|not too|not overly|not a lot|but (?:gently|subtly)", 0.5),
    (r"very slightly|a tiny bit|a touch|barely|just a (?:little|bit|tad)|a hint|tiny bit", 0.35),
    (r"way too|much more|much less|a lot|lots|significantly|considerably|drastically|"
     r"dramatically|heavily|strongly|greatly|substantially|hugely|extremely|super|really|"
     r"very|much|way|seriously|massively", 1.8),
    (r"slightly|a bit|a little|a tad|somewhat|subtle|subtly|mildly|gently|lightly|softly|"
     r"marginally|little", 0.5),
]
# "brighten by 20%", "saturation +30 percent": the number is the setting (these ops' amounts
# are fractions: brightness 0.2 scales the light by 1.2)
_PERCENT = re.compile(r"(?<![\w.])([+-]?\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.I)
_PERCENT_OPS = frozenset({"brightness", "contrast", "saturation", "vibrance"})


def intensity(text: str) -> tuple[float, str | None]:
    for pat, k in _INTENSITY:
        m = re.search(rf"\b(?:{pat})\b", text, re.I)
        if m:
            return k, m.group(0)
    return 1.0, None


# op family -> (pattern for "more", pattern for "less"). Complaints ("too dark") point the
# opposite way to the adjective, so they sit in the other list.
_UP_BRIGHT = (r"brighten|brighter|lighten|lighter|lift|too dark|(?:is|looks|very|so|bit|quite)"
              r" dark|dim|dull|underexposed|more light|increase (?:the )?(?:brightness|exposure|"
              r"light)|boost (?:the )?(?:brightness|exposure)|bright(?:ness)? up|light(?:en)? up|"
              r"raise (?:the )?(?:brightness|exposure)|not bright enough|gloomy|murky")
_DOWN_BRIGHT = (r"darken|darker|too bright|overexposed|less bright|(?:decrease|reduce|lower) "
                r"(?:the )?(?:brightness|exposure|light)|tone down the (?:brightness|light)|"
                r"too light|washed out by light|moody|dim (?:the|it)|"
                # "make the sky dark": what the region becomes, at the clause's end
                r"(?:make|turn|get)\s+(?:(?!too\b|so\b|not\b|less\b)[\w'-]+\s+){1,5}?dark"
                r"(?=\s*(?:[,.;!?]|$)|\s+(?:and|but|please)\b)")
DIRECTION: dict[str, tuple[str, str]] = {
    "brightness": (_UP_BRIGHT, _DOWN_BRIGHT),
    "lightness": (_UP_BRIGHT, _DOWN_BRIGHT),
    "exposure": (_UP_BRIGHT, _DOWN_BRIGHT),
    "contrast": (r"more contrast|(?:increase|boost|raise|enhance|add|more) (?:the )?"
                 r"(?:[\w-]+ (?:and|&) )?contrast|boost (?:the )?contrast|add contrast|"
                 r"higher contrast|contrast up|punch|punchy|pop|flat|dull|washed out|faded|dramatic|"
                 r"low contrast|enhance (?:the )?contrast",
                 r"less contrast|(?:decrease|reduce|lower|soften|tone down) (?:the )?contrast|"
                 r"too (?:much )?contrast|too contrasty|harsh|too dramatic|flatten"),
    "saturation": (r"more colou?r|saturat(?:e|ed|ion) (?:up|more)|"
                   r"(?:increase|boost|raise|enhance|add|more) (?:the )?(?:[\w-]+ (?:and|&) )?"
                   r"saturation|"
                   r"boost (?:the )?(?:saturation|colou?rs)|more saturat|vivid|colou?rful|lush|"
                   r"enhance (?:the )?colou?rs|richer|dull|washed out|faded|pale|bland|pop|"
                   r"brighter colou?rs|intensify|saturate",
                   r"desaturat|less saturat|(?:decrease|reduce|lower|tone down) (?:the )?"
                   r"(?:saturation|colou?rs?)|too (?:saturated|colou?rful|vivid|intense)|muted|"
                   r"less colou?r|mute"),
    "vibrance": (r"vibran|vivid|pop|more colou?r|richer",
                 r"less vibran|too vibrant|muted|tone down"),
    "sharpness": (r"sharpen|sharper|crisp|blurr?y|unblur|deblur|clearer|clarity|in focus|"
                  r"out of focus|soft|fuzzy|detail|(?:increase|boost|raise|enhance|improve|add|"
                  r"more) (?:the )?(?:\w+ )?sharpness|sharpness up",
                  r"soften|less sharp|too sharp|smooth(?:er)?|(?:decrease|reduce|lower|less) "
                  r"(?:the )?sharpness"),
    "temperature": (r"warm(?:er|th)?|too (?:cold|cool|blue)|blue (?:cast|tint)|sunny|golden|"
                    r"less blue",
                    r"cool(?:er)?|cold(?:er)?|too (?:warm|yellow|orange)|(?:yellow|orange) "
                    r"(?:cast|tint)|remove (?:the )?(?:yellow|orange|sepia)|"
                    r"less (?:yellow|orange)"),
    "shadows": (r"lift|brighten (?:the )?shadows|open up|shadow detail|(?:shadows|dark areas)"
                r" (?:are |is )?too dark|fill light",
                r"deepen|darken (?:the )?shadows|crush|darker shadows|deeper|"
                r"blacks (?:darker|richer)|richer blacks"),
    "highlights": (r"brighten (?:the )?highlights|brighter highlights|whiter|brighter whites|"
                   r"whites brighter|cleaner whites|whites cleaner",
                   r"recover|tone down|blown|too bright|reduce (?:the )?highlights|tame|"
                   r"overexposed|highlights"),
}

BASE: dict[str, float] = {"brightness": 0.25, "lightness": 12.0, "exposure": 0.6,
                          "contrast": 0.35, "saturation": 0.35, "vibrance": 0.4,
                          "sharpness": 0.8, "temperature": 0.3, "shadows": 0.4,
                          "highlights": 0.4}
# Vague requests ("make it better") with no image: the direction GIER's editors took most.
DEFAULT_SIGN: dict[str, int] = {"brightness": 1, "lightness": 1, "exposure": 1, "contrast": 1,
                                "saturation": 1, "vibrance": 1, "sharpness": 1,
                                "temperature": 1, "shadows": 1, "highlights": -1}
_COLOURS = COLOURS
_COLOUR_RE = COLOUR_RE
_COMPARATIVE_COLOUR_BASE = COMPARATIVES
_COMPARATIVE_COLOUR = re.compile(r"\b(" + "|".join(_COMPARATIVE_COLOUR_BASE) + r")\b", re.I)


@dataclass
class Choice:
    params: dict[str, Any] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    # False when the image shows nothing to fix for a vague request (the step is dropped)
    useful: bool = True


def direction(op: str, text: str) -> tuple[int, str | None]:
    """+1 more / -1 less / 0 unknown, with the words that said so (complaints included)."""
    if op not in DIRECTION:
        return 0, None
    up, down = DIRECTION[op]
    mu = re.search(rf"\b(?:{down})", text, re.I)  # "less" wins ties: "less bright" has "bright"
    if mu:
        return -1, mu.group(0)
    md = re.search(rf"\b(?:{up})", text, re.I)
    return (1, md.group(0)) if md else (0, None)


def _clip(v: float, lo: float, hi: float) -> float:
    return float(min(max(v, lo), hi))


# Image -> signed amount that would move it toward a natural look (None: nothing measured).
# Natural ranges, not points: a photo inside the range is left alone (or, for contrast and
# saturation, given a light polish, which is what "make it better" means on a fine photo);
# outside it moves to the nearest edge, so corrections stay gentle.
_POLISH = 0.08


def _want_brightness(s: ImageStats) -> tuple[float, str]:
    m = s.luma_median
    goal = min(max(m, 0.38), 0.58)
    return (_clip(goal / max(m, 0.03) - 1, -0.5, 1.0),
            f"image: median brightness {m:.2f} (natural 0.38-0.58)")


def _want_contrast(s: ImageStats) -> tuple[float, str]:
    sd = s.luma_std
    if 0.18 <= sd <= 0.30:
        return _POLISH, f"image: contrast (luma spread) {sd:.2f} in the natural range: a light polish"
    goal = min(max(sd, 0.18), 0.30)
    return (_clip((goal - sd) / 0.12, -0.6, 0.8),
            f"image: contrast (luma spread) {sd:.2f} (natural 0.18-0.30)")


def _want_saturation(s: ImageStats) -> tuple[float, str]:
    sat = s.saturation_mean
    if 0.25 <= sat <= 0.55:
        return _POLISH, f"image: saturation {sat:.2f} in the natural range: a light polish"
    goal = min(max(sat, 0.25), 0.55)
    return (_clip(goal / max(sat, 0.05) - 1, -0.5, 0.6),
            f"image: saturation {sat:.2f} (natural 0.25-0.55)")


def _want_sharpness(s: ImageStats) -> tuple[float, str]:
    return (_clip((0.02 - s.sharpness) / 0.01, 0.0, 1.5),
            f"image: detail (Laplacian variance) {s.sharpness:.4f}")


def _want_warmth(s: ImageStats) -> tuple[float, str]:
    # damped: part of a warm/cool look is the scene (a sunset), not the camera
    return (_clip(-s.cast_b / 40.0, -0.5, 0.5) if abs(s.cast_b) > 6 else 0.0,
            f"image: colour cast b*={s.cast_b:+.1f} ({'warm' if s.cast_b > 0 else 'cool'})")


MEASURE: dict[str, Callable[[ImageStats], tuple[float, str]]] = {
    "brightness": _want_brightness, "lightness": _want_brightness, "exposure": _want_brightness,
    "contrast": _want_contrast, "saturation": _want_saturation, "vibrance": _want_saturation,
    "sharpness": _want_sharpness, "temperature": _want_warmth,
}


def _scalar(op: str, text: str, stats: ImageStats | None) -> Choice:
    sign, dwords = direction(op, text)
    k, kwords = intensity(text)
    ev = [f'words: "{dwords}"'] if dwords else []
    if kwords:
        ev.append(f'intensity: "{kwords}" (x{k:g})')
    want = MEASURE[op](stats) if stats is not None and op in MEASURE else None
    stops = _stops_named(text) if op == "exposure" else None
    if stops is not None:  # "by one stop", "+0.5 EV": the number is the setting
        sign = sign or (1 if stops[0] > 0 else -1)
        return Choice({"stops": _clip(sign * abs(stops[0]), -3.0, 3.0)},
                      ev + [f'words: "{stops[1]}"'])
    pct = _PERCENT.search(text) if op in _PERCENT_OPS else None
    if pct is not None:
        value = float(pct.group(1)) / 100
        sign = sign or (-1 if value < 0 else 1)
        lo, hi = (-1.0, 1.0) if op == "contrast" else (-1.0, 1.5)
        return Choice({"amount": _clip(sign * abs(value), lo, hi)}, ev + [f'words: "{pct.group(0)}"'])
    # amounts are in brightness units here; _to_params turns them into lightness / stops
    base = BASE["brightness"] if op in ("lightness", "exposure") else BASE[op]
    useful = True
    if sign == 0 and want is not None:
        # vague request: the image decides direction and size
        amount = want[0] * (k if kwords else 1.0)
        ev.append(want[1])
        useful = abs(want[0]) >= 0.05
    elif sign == 0:
        amount = DEFAULT_SIGN.get(op, 1) * base * k
        ev.append("no direction in the words: the usual edit for this request")
    elif want is not None and want[0] * sign > 0.05:
        # words and image agree: size from the image (scaled by intensity words)
        amount = sign * max(abs(want[0]) * k, base * 0.5 * k)
        ev.append(want[1])
    else:
        amount = sign * base * k
    return Choice(_to_params(op, amount), ev, useful)


_NUMBER_WORDS = {"one": 1.0, "a": 1.0, "an": 1.0, "two": 2.0, "three": 3.0, "half a": 0.5,
                 "a half": 0.5, "half": 0.5, "a third of a": 1 / 3, "one and a half": 1.5}
_STOPS = re.compile(r"([+-]?\d+(?:\.\d+)?|one and a half|a third of a|half a|a half|one|two|"
                    r"three|an?)\s*(?:full\s+)?(?:stops?|ev)\b", re.I)


def _stops_named(text: str) -> tuple[float, str] | None:
    m = _STOPS.search(text)
    if m is None:
        return None
    word = m.group(1).lower()
    value = _NUMBER_WORDS[word] if word in _NUMBER_WORDS else float(word)
    return value, m.group(0)


def _to_params(op: str, amount: float) -> dict[str, Any]:
    if op == "lightness":
        return {"amount": amount / BASE["brightness"] * BASE["lightness"]}
    if op == "exposure":
        return {"stops": amount / BASE["brightness"] * BASE["exposure"]}
    if op == "sharpness":
        return {"amount": abs(amount) if amount >= 0 else max(amount, -1.0)}
    if op == "temperature":
        return {"temperature": amount}
    if op == "highlights":
        return {"amount": amount}
    return {"amount": amount}


def _colour_word(text: str) -> tuple[str, tuple[float, float, float]] | None:
    # the last colour named is usually the wanted one ("make the green broom red", "make the
    # olive tree greener")
    found = [m for pat in (_COLOUR_RE, _COMPARATIVE_COLOUR) for m in pat.finditer(text)]
    if not found:
        return None
    word = max(found, key=lambda m: m.start()).group(1).lower()
    return word, _COLOURS[_COMPARATIVE_COLOUR_BASE.get(word, word)]


def choose_params(op: str, text: str, stats: ImageStats | None) -> Choice:
    from lbie_desktop.core.ops import get_op
    from lbie_desktop.understanding.portrait import portrait_params

    k, kwords = intensity(text)
    ev = [f'intensity: "{kwords}" (x{k:g})'] if kwords else []
    retouch = portrait_params(op, text, k)
    if retouch is not None:
        return Choice(retouch[0], ev + [retouch[1]])
    if op in BASE:
        return _scalar(op, text, stats)
    if op in ("hue", "tint"):
        return _curves(op, text, stats, k, ev)
    if op == "recolor":
        c = _colour_word(text)
        if c:
            # "bluer" / "more blue" ask for more of a colour, "blue" for the colour itself
            more = re.search(rf"\b(?:more|less)\s+{re.escape(c[0])}\b", text, re.I)
            base = 0.35 if c[0] in _COMPARATIVE_COLOUR_BASE or more else 0.7
            return Choice({"color": list(c[1]), "strength": _clip(base * k, 0.15, 1.0)},
                          ev + [f'colour: "{c[0]}"'])
        return Choice({"strength": 0.6}, ev + ["no colour named: pick one on the card"])
    if op == "color_bg":
        c = _colour_word(text)
        cut = re.search(r"\bcut ?out\b|\bcut\s+\w+\s+out\b", text, re.I)
        clear = re.search(r"\btransparent|no background", text, re.I)
        if clear or (cut and c is None):  # a cut-out with no colour named: nothing behind it
            return Choice({"mode": "transparent"}, ev + [f'words: "{(clear or cut).group(0)}"'])
        colour = c[1] if c else (1.0, 1.0, 1.0)
        return Choice({"mode": "color", "color": list(colour)},
                      ev + ([f'colour: "{c[0]}"'] if c else ["background colour: white "
                                                              "(GIER's default)"]))
    if op == "gaussian_blur":
        hide = re.search(r"\b(?:pixel+ate\w*|censor\w*|anonymi[sz]e\w*|unreadable|"
                         r"unrecogni[sz]able)", text, re.I)
        if hide:  # hiding a face or a plate: strong enough that nothing can be read back
            return Choice({"sigma": 6.0}, ev + [f'words: "{hide.group(0)}" (a blur strong '
                                                'enough to hide it)'])
        return Choice({"sigma": _clip(3.0 * k, 0.5, 10.0)}, ev)
    if op == "radial_blur":
        return Choice({"amount": _clip(0.3 * k, 0.05, 1.0)}, ev)
    if op == "denoise":
        return Choice({"strength": _clip(0.5 * k, 0.1, 1.0)}, ev)
    if op == "dehaze":
        return Choice({"amount": _clip(0.5 * k, 0.1, 1.0)}, ev)
    if op == "black_white":
        return Choice({"amount": 1.0}, ev)
    if op == "vignette":
        return _vignette(text, k, ev)
    if op == "rotate":
        return _rotate(text, ev, stats)
    if op == "flip":
        vert = re.search(r"\b(?:vertical(?:ly)?|upside down|top to bottom)\b", text, re.I)
        return Choice({"direction": "vertical" if vert else "horizontal"},
                      ev + [f'words: "{vert.group(0)}"' if vert else "horizontal (mirror)"])
    if op == "crop":
        return _crop(text, k, ev, stats)
    return Choice(get_op(op).defaults(), ev)


def _curves(op: str, text: str, stats: ImageStats | None, k: float, ev: list[str]) -> Choice:
    from lbie_desktop.core.ops import get_op

    o = get_op(op)
    assert o.controls_to_params is not None
    if op == "tint":
        sign, words = direction("brightness", text)
        mid = sign * 0.5 * k
        if words:
            ev.append(f'words: "{words}"')
        elif stats is not None:
            mid = _clip((0.47 - stats.luma_median) / 0.2, -1, 1)
            ev.append(f"image: median brightness {stats.luma_median:.2f} (natural ~0.47)")
        else:
            mid = 0.4 * k
            ev.append("no direction in the words: a gentle midtone lift")
        controls = {"midtones": mid}
        if stats is not None and stats.p02 > 0.08:
            controls["shadows"] = -0.4  # milky blacks: deepen them
            ev.append(f"image: darkest tones at {stats.p02:.2f} (faded blacks)")
        return Choice(o.controls_to_params(controls), ev, abs(mid) > 0.05 or len(controls) > 1)
    controls: dict[str, float] = {}
    sign, words = direction("temperature", text)
    if sign:
        controls["warmth"] = sign * 0.5 * k
        ev.append(f'words: "{words}"')
    for name, more in (("red", "redder"), ("green", "greener"), ("blue", "bluer")):
        m = re.search(rf"\b(?:(more|less|too|remove(?: the)?|reduce(?: the)?)\s+{name}|"
                      rf"{more}|{name}ish)\b", text, re.I)
        if m:
            neg = (m.group(1) or "").lower().startswith(("less", "too", "remove", "reduce"))
            controls[name] = (-0.5 if neg else 0.5) * k
            ev.append(f'words: "{m.group(0)}"')
    if not controls and stats is not None and not stats.grey:
        controls["warmth"] = _clip(-stats.cast_b / 40.0, -0.5, 0.5)
        controls["green"] = _clip(stats.cast_a / 40.0, -0.5, 0.5)
        ev.append(f"image: colour cast a*={stats.cast_a:+.1f} b*={stats.cast_b:+.1f} "
                  "(neutralised)")
        useful = abs(stats.cast_b) > 6 or abs(stats.cast_a) > 6
        return Choice(o.controls_to_params(controls), ev, useful)
    if not controls:
        controls["warmth"] = 0.25 * k
        ev.append("no colour named: a gentle warm balance")
    return Choice(o.controls_to_params(controls), ev)


# A vignette darkens the corners unless the words undo one ("remove the vignetting", "the
# corners are too dark") or ask for light corners. Strength words a vignette is described
# with (not general intensity words: "a strong vignette", "a heavy vignette").
_VIGNETTE_UP = re.compile(
    r"\b(?:remov\w*|get rid|fix\w*|correct\w*|reduc\w*|undo|less|lighten\w*|lighter|"
    r"brighten\w*|brighter|white vignett\w*|too dark|(?:corners|edges) (?:are |look |is )?(?:too )?dark\w*|"
    r"(?:dark|darker) (?:corners|edges) (?:are|look|is))\b", re.I)
_VIGNETTE_STRONG = re.compile(r"\b(?:strong(?:er)?|heavy|heavier|dramatic|deep|bold|intense|"
                              r"pronounced|obvious)\b", re.I)
_VIGNETTE_LIGHT = re.compile(r"\b(?:light|soft|faint|gentle|small)\s+vignett", re.I)
VIGNETTE_EV = 0.8  # light lost (or returned) at the corners, in stops, for a plain request


def _vignette(text: str, k: float, ev: list[str]) -> Choice:
    up = _VIGNETTE_UP.search(text)
    if k == 1.0 and (m := _VIGNETTE_STRONG.search(text) or _VIGNETTE_LIGHT.search(text)):
        k = 1.8 if _VIGNETTE_STRONG.search(m.group(0)) else 0.5
        ev.append(f'intensity: "{m.group(0)}" (x{k:g})')
    amount = _clip((1 if up else -1) * VIGNETTE_EV * k, -2.0, 2.0)
    # the same wording as the lexicon's evidence, so the plan shows it once
    ev += [f'words: "{up.group(0)}"', "lighter corners"] if up else ["darker corners"]
    return Choice({"amount": round(amount, 2)}, ev)


# Words that ask to level the photo rather than turn it by a named amount
_STRAIGHTEN = re.compile(r"\b(?:straight\w*|level\w*|tilt\w*|crooked|horizon|skew\w*|wonky|"
                         r"slant\w*|askew|lopsided|not straight)\b", re.I)


def _rotate(text: str, ev: list[str], stats: ImageStats | None = None) -> Choice:
    m = re.search(r"(-?\d{1,3}(?:\.\d+)?)\s*(?:°|deg(?:rees?)?)", text, re.I)
    angle = float(m.group(1)) if m else 0.0
    if re.search(r"\bupside down\b|\b180\b", text, re.I) and not m:
        angle = 180.0
    elif not m and re.search(r"\b(?:left|right|sideways|portrait|landscape)\b", text, re.I):
        angle = 90.0
    if re.search(r"\b(?:clockwise|right)\b", text, re.I) and not re.search(
            r"counter-?clockwise|anti-?clockwise", text, re.I):
        angle = -abs(angle)  # the registry's positive angle is counter-clockwise
    if m or angle:
        ev.append(f"angle {angle:g}° from the words")  # the words win over the image
    elif _STRAIGHTEN.search(text) and stats is not None and stats.tilt is not None:
        tilt = stats.tilt
        angle = round(tilt.correction, 1) + 0.0  # never "-0"
        if tilt.degrees is None:
            ev.append(f"{tilt.evidence}: set the angle on the card")
        elif angle == 0:
            ev.append(f"{tilt.evidence}: nothing to straighten")
        else:
            ev.append(f"{tilt.evidence}: rotating {angle:+.1f}° levels it")
    else:
        ev.append("no angle named: set it on the card")
    return Choice({"angle": angle}, ev, True)


_ASPECT = re.compile(r"\b(?:(square)|(\d{1,2})\s*[:x/]\s*(\d{1,2})|(instagram))\b", re.I)


def _aspect(text: str) -> tuple[float, str] | None:
    """The width/height ratio the words ask for ("square", "16:9", "4x5"), with the words."""
    m = _ASPECT.search(text)
    if m is None:
        return None
    if m.group(1) or m.group(4):
        return 1.0, m.group(0)
    w, h = int(m.group(2)), int(m.group(3))
    return (w / h, m.group(0)) if w and h else None


def _crop(text: str, k: float, ev: list[str], stats: ImageStats | None = None) -> Choice:
    sides = {s: 0.0 for s in ("left", "top", "right", "bottom")}
    aspect = _aspect(text)
    if aspect is not None and stats is not None and stats.image is not None:
        # the largest centred crop with that shape
        h, w = stats.image.shape[:2]
        have, want = w / h, aspect[0]
        if have > want:
            sides["left"] = sides["right"] = (1 - want / have) / 2
        else:
            sides["top"] = sides["bottom"] = (1 - have / want) / 2
        return Choice(sides, ev + [f'words: "{aspect[1]}": centred crop to {want:.3g}:1 '
                                   f"(photo {have:.3g}:1)"])
    if aspect is not None:
        ev.append(f'words: "{aspect[1]}": the shape needs the photo; set the sides on the card')
    named = [s for s in sides if re.search(rf"\b{s}\b", text, re.I)]
    if named:
        for s in named:
            sides[s] = _clip(0.15 * k, 0.03, 0.5)
        ev.append("sides named: " + ", ".join(named))
    else:
        for s in sides:
            sides[s] = _clip(0.06 * k, 0.02, 0.3)
        ev.append("no side named: an even trim (adjust on the card)")
    return Choice(sides, ev)
