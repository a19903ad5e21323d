"""Words that name an operation outright: beyond-GIER ops (temperature, vibrance, shadows,
highlights, recolor) and GIER ops too rare in its data to learn (flip: 18 pairs).

A hit adds the op even when the classifier is unsure, and its words become the step's
evidence. Negated mentions ("don't touch the colours") remove ops instead.
"""

from __future__ import annotations

import re

from lbie_desktop.understanding.colours import NAMES
from lbie_desktop.understanding.portrait import RED_EYE

_C = r"colou?r"
# "darken the corners" names a vignette, not a brightness change on a region called "corners"
_VIGNETTE = (r"\b(?:vignett(?:e|es|ed|ing)|(?:darken\w*|darker|lighten\w*|lighter|brighten\w*|"
             r"brighter|dark|light|shade|burn)(?:\s+(?:up|down))?\s+(?:the\s+|its\s+)?(?:photo'?s?\s+)?"
             r"(?:corners|edges)|(?:corners|edges) (?:are |look |is |seem )?(?:a bit |way |far )?"
             r"(?:too )?(?:darker|dark|lighter|light|brighter|bright)|light fall-?off)\b")
# "it's out of focus", "the photo is a bit blurry": a complaint that asks for sharpening, not
# for blur (which "blurry" and "out of focus" name elsewhere: "make the background blurry")
_OUT_OF_FOCUS = (r"(?:(?:is|are|'s|looks?|seems?|was|got)\s+(?:(?:a bit|a little|slightly|"
                 r"too|very|so|really|quite|kind of|kinda)\s+)?(?:out of focus|blurr?y|fuzzy|"
                 r"unfocused)|not (?:sharp|in focus)|unsharp|less blurr?(?:y|ed)|un-?\s?blur\w*|"
                 r"(?:remove|reduce|fix|take out|get rid of|clear up)\s+(?:\w+\s+){0,3}?blur\w*|"
                 r"not (?:be )?blurr?y)")
# op -> pattern whose match names the op
OP_WORDS: dict[str, re.Pattern[str]] = {k: re.compile(v, re.I) for k, v in {
    "temperature": r"\b(?:warm(?:er|th|ing)?|cool(?:er|ing)?|cold(?:er)?|white balance|"
                   r"less (?:yellow|orange|blue)|"
                   r"colou?r temperature|temperature|too (?:yellow|blue|orange)|"
                   r"(?:blue|yellow|orange) (?:cast|tint))\b",
    "vibrance": r"\b(?:vibran(?:ce|t)|vivid(?:ness)?|pop)\b",
    # "deeper blacks", "whiter whites": the ends of the tonal range
    "shadows": r"\b(?:shadows?|shadow detail|dark areas|fill light|(?:deep(?:er|en)?|crush|richer)"
               r" (?:the )?blacks|blacks (?:deeper|darker|richer))\b",
    "highlights": r"\b(?:highlights?|blown(?: out)?|bright areas|overexposed (?:sky|areas?)|"
                  r"(?:whiter|brighter|cleaner) whites|whites (?:whiter|brighter|cleaner))\b",
    "recolor": rf"\b(?:recolou?r|colou?ri[sz]e|(?:make|turn|paint|change|{_C})\s+(?:the\s+)?"
               rf"[\w' ]{{1,30}}?\s+(?:to\s+|into\s+|more\s+)?(?:{NAMES}|"
               r"bluer|redder|greener|yellower|pinker)\b)",
    "exposure": r"\b(?:exposure|over-?exposed|under-?exposed|stops?|\d+(?:\.\d+)?\s*ev)\b",
    "rotate": r"\b(?:rotate|rotation|straighten|tilt(?:ed)?|crooked|level the horizon|"
              r"upside down|turn (?:it|the (?:image|photo|picture)) (?:left|right|around))\b",
    "flip": r"\b(?:flip(?:ped)?|mirror(?:ed)?)\b",
    "crop": r"\b(?:crop(?:ped)?|trim the edges?|cut off the edges?|zoom(?:ed|ing)? in)\b",
    "gaussian_blur": r"\b(?:blur(?:red|ry)?|bokeh|out of focus|defocus|pixel+ate\w*|censor\w*|"
                     r"anonymi[sz]e\w*)\b",
    "radial_blur": r"\b(?:radial blur|zoom blur|spin blur|motion blur)\b",
    "denoise": r"\b(?:noise|noisy|denoise|grain(?:y)?|speckles?|compression artifacts?)\b",
    "dehaze": r"\b(?:haze|hazy|dehaze|fog(?:gy)?|mist(?:y)?|smog(?:gy)?)\b",
    "black_white": r"\b(?:black\s*(?:and|&|n)\s*white|b\s*&\s*w|gr[ae]y\s*scale|monochrome|"
                   r"de-?saturate completely)\b",
    "sharpness": r"\b(?:sharp(?:en|er|ness)?|crisp(?:er)?|unblur|deblur|in focus|"
                 + _OUT_OF_FOCUS + r")\b",
    "vignette": _VIGNETTE,
    "red_eye": RED_EYE.pattern,
    # "desaturate everything but the girl": the classifier often misses the rarer direction
    "saturation": r"\b(?:de-?saturat\w*|(?:un|over|under)?saturat(?:e|ed|ion|ing)|"
                  r"(?:more|less) colou?rful|lush(?:er)?)\b",
}.items()}

# Ops a strong lexicon hit may add on its own (the classifier rarely sees them).
# "sharpen" names sharpness outright, yet GIER's labels often omit it (the editor skipped it).
ADDABLE = frozenset({"temperature", "vibrance", "shadows", "highlights", "recolor", "exposure",
                     "rotate", "flip", "radial_blur", "dehaze", "black_white", "denoise",
                     "sharpness", "vignette", "saturation", "red_eye"})
# A blur is added on the words alone only when they ask for one ("blur the background", "add
# blur", "pixelate the faces"), not when they complain of one ("less blurry", "remove blur").
BLUR_ASKED = re.compile(r"\b(?:blur\s+(?:the|his|her|their|my|this|that|everything|it|all|"
                        r"out|background|face|faces)\b|(?:add|apply|more|some|slight|light|"
                        r"strong|heavy|a)\s+(?:\w+\s+)?blur\b|blurr?(?:ed|y)\s+(?:the\s+)?"
                        r"back\s?ground|back\s?ground\s+(?:\w+\s+){0,2}blurr?(?:ed|y)|bokeh|"
                        r"make\s+(?:[\w']+\s+){0,5}?(?:blurr?(?:y|ed)|blurrier)|"
                        r"pixel+ate|censor|anonymi[sz]e)", re.I)

# Negated mentions: "don't touch the colours", "do not change the brightness", "no cropping".
_NEG = re.compile(r"\b(?:don'?t|do not|dont|never|without|no|not)\s+(?:(?:touch|change|alter|"
                  r"adjust|edit|mess with|affect|ruin|lose|remove|crop|rotate|flip|blur|"
                  r"sharpen|brighten|darken|saturate)(?:ing)?\s+)?(?:the\s+|any\s+|its\s+)?"
                  r"([\w ]{2,25}?)(?=[,.;!?]|$|\s(?:and|but|please|of|too|though|thanks|thank|at all|"
                  r"whatsoever|this time|needed|necessary)\b)", re.I)
NEGATABLE: dict[str, tuple[str, ...]] = {
    "colou?rs?|hues?|tones?": ("saturation", "hue", "vibrance", "temperature", "recolor",
                               "black_white"),
    "saturation": ("saturation", "vibrance"),
    "brightness|exposure|lighting|light": ("brightness", "lightness", "exposure"),
    "contrast": ("contrast",),
    "crop(?:ping)?|size|framing|composition": ("crop",),
    "sharp(?:en|ening|ness)": ("sharpness",),
    "blur(?:ring)?": ("gaussian_blur", "radial_blur"),
    "vignett(?:e|ing)|(?:dark |darker )?corners": ("vignette",),
    "highlights?|bright areas": ("highlights",),
    "shadows?|dark areas": ("shadows",),
}


def lexicon_hits(text: str) -> dict[str, str]:
    """op -> the words that name it."""
    out: dict[str, str] = {}
    for op, pat in OP_WORDS.items():
        source = without_black_and_white(text) if op == "recolor" else text
        for m in pat.finditer(source):
            if _NEGATED_BEFORE.search(source, 0, m.start()):
                continue  # "don't make the faces orange"
            if op == "recolor" and _LESS_COLOUR.search(m.group(0)):
                continue  # "less yellow" takes a colour away: white balance, not a recolour
            out[op] = m.group(0)
            break
    blur, sharp = out.get("gaussian_blur"), out.get("sharpness")
    if blur and sharp and blur in sharp:
        del out["gaussian_blur"]  # "it's out of focus" asks for sharpening
    return out


# "don't make the faces orange": the rest of the clause after a negation asks for nothing
NEGATED_CLAUSE = re.compile(r"\b(?:don'?t|do not|dont|never)\s+[^,.;!?]*", re.I)
_NEGATED_BEFORE = re.compile(r"\b(?:don'?t|do not|dont|never|not|without|no)\s+$", re.I)
_LESS_COLOUR = re.compile(rf"\bless\s+(?:{NAMES})$", re.I)


# Vignette phrases whose words, read alone, would ask for another op: "remove the vignette"
# is no object removal, "darken the corners" no brightness change.
_VIGNETTE_PHRASE = re.compile(r"(?:\b(?:remove|erase|get rid of|take out|clean up|fix|correct|"
                              r"reduce|undo)\s+(?:(?!(?:and|then|but)\b)[\w']+\s+){0,3})?"
                              r"(?:(?:dark\w*|light\w*|bright\w*|black|white|gr[ae]y|soft\w*|"
                              r"blurr?\w*|strong\w*|heav\w*|subtle)\s+)*" + _VIGNETTE, re.I)


def without_black_and_white(text: str) -> str:
    """The text with phrases that name one whole op blanked out, same length: "black and
    white" (and its kin) names a conversion, not the colours black or white ("make the
    background black and white"); "remove the vignette" / "darken the corners" name a
    vignette, not a removal or a brightness change."""
    text = OP_WORDS["black_white"].sub(lambda m: " " * len(m.group(0)), text)
    text = RED_EYE.sub(lambda m: " " * len(m.group(0)), text)  # no "red" colour edit
    return _VIGNETTE_PHRASE.sub(lambda m: " " * len(m.group(0)), text)


def negated_ops(text: str) -> dict[str, str]:
    """op -> the negated words that forbid it."""
    out: dict[str, str] = {}
    for m in _NEG.finditer(text):
        obj = m.group(1).strip().lower()
        verb_only = m.group(0).lower()
        for words, ops in NEGATABLE.items():
            if re.fullmatch(rf"(?:{words})", obj) or re.search(rf"\b(?:{words})$", verb_only):
                for op in ops:
                    out.setdefault(op, m.group(0))
    return out
