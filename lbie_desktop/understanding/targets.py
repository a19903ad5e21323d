"""Where a local step applies: the target phrase, its span in the request, and scope.

Convention for grounding (documented in models/understanding.md): `Step.target` is the phrase
as the person wrote it ("the boy in the background"); an exclusion ("everything except the
face", "all but the sky", "leave the face alone") gives `target = "not: the face"`, meaning
"the whole image minus the region the phrase names"; an exclusion from a region ("brighten the
face except the eyes") gives "the face, not: the eyes" (lbie_desktop/core/targets.py). The span is recorded in the step's
evidence as `target "the face" at chars 24-32`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lbie_desktop.core.targets import EXCLUDE, region_less
from lbie_desktop.understanding.colours import NAMES

NOT_PREFIX = EXCLUDE

_DET = r"(?:the|a|an|his|her|their|my|our|your|its|this|that|these|those|all|all the|some|any)"
# Words that end a noun phrase: a new clause, purpose, or politeness.
_STOP = (r"(?=\s*(?:[,.;:!?()\n]|$|\s(?:and|but|so|to|please|pls|because|as|which|then|while|"
         r"if|or|for me|thanks|thank|without|using|into|more|less|looks?|seems?|appears?|a bit|a little|"
         r"a lot|lots|very|really|much|significantly|considerably|"
         r"(?:on|in|of|from) (?:this|the|my|that) (?:photo|picture|image|pic|shot)|"
         r"slightly|too|is|are|was|were|be|needs?|make|making|brighter|darker|lighter|sharper|"
         r"bluer|redder|greener|warmer|cooler|white|black|blurry|blurred|clearer|"
         r"stand out|pop|from|by|better|worse|nicer|good|great|alone|untouched|unchanged|intact|"
         rf"natural|realistic|normal|only|in (?:full )?colou?rs?)\b|\s(?:{NAMES})\b(?!\s+(?!(?:and|or|"
         rf"but|please|instead|too|again|in|on|with|for|to|like|now|then|if|so|as|{NAMES})\b)[a-z])))")
# Region nouns people write without a determiner ("BLUR BACKGROUND", "brighten face").
_BARE = (r"(?:back\s?ground|fore\s?ground|sky|face|faces|skin|eyes|hair|teeth|water|sea|grass|"
         r"trees?|people|person|man|woman|girl|boy|dog|cat|car|building|subject|lips)")
# the pronoun first: "make her a little brighter" is "her", not the phrase "her a little"
_NP = rf"((?:him|her|them|it|me|us)|{_DET}\s+[^,.;:!?()\n]{{1,60}}?|{_BARE}){_STOP}"

# Phrases that name the whole picture, not a region.
_GLOBAL = re.compile(
    r"^(?:the|this|my|our|your|its|that|an?|all the|all)?\s*(?:whole\s+|entire\s+|overall\s+)?"
    r"(?:image|photo|photograph|picture|pic|shot|thing|scene|frame|colou?rs?|brightness|"
    r"contrast|saturation|"
    r"exposure|lighting|light|tones?|hue|it|everything|background colou?r|quality|"
    r"sharpness|clarity|focus|look|edges?|corners?|vignett\w*|rest|noise|grain|haze|blur)s?$", re.I)

_REMOVE_VERBS = (r"remove|erase|delete|get rid of|take out|take away|eliminate|clear out|"
                 r"photoshop out|edit out|crop out|cut out|clone out|clone away")
_EDIT_VERBS = (r"brighten|darken|lighten|sharpen|blur|soften|saturate|desaturate|enhance|"
               r"recolou?r|colou?r|colorize|colourise|fix|highlight|whiten|lighten up|"
               r"change|make|turn|adjust|increase|decrease|reduce|boost|fade|tone down|"
               r"warm up|cool down|focus on|paint|replace|clean up|clean|pixel+ate|censor|"
               r"anonymi[sz]e|hide|obscure")
_OF = r"(?:of|on|in|to|for|around|behind|across)"

# "leave the dress in colour": what a kept region stays
_IN_COLOUR = r"(?:in\s+(?:full\s+)?colou?rs?|colou?r(?:ed|ful))\b"
_AS_IS = r"(?:alone|untouched|as (?:it is|they are|is)|the same|unchanged|intact)\b"
KEPT_COLOUR = re.compile(rf"\b{_IN_COLOUR}", re.I)
_EXCLUDE = re.compile(
    rf"\b(?:except(?:\s+for)?|but not|apart from|other than|besides|excluding)\s+{_NP}"
    # a bare "but" excludes unless a clause follows: "... but the original was destroyed"
    rf"|\bbut\s+(?!(?:{_DET}\s+)?[\w'-]+(?:\s+[\w'-]+)?\s+(?:is|are|was|were|has|have|had|"
    rf"looks?|seems?)\b){_NP}"
    rf"|\b(?:leave|keep|leaving|keeping)\s+{_NP}\s+{_AS_IS}"
    # selective colour: "black and white but keep the red umbrella", "leave the dress in colour"
    # (only when nothing follows: "keep the skin tones natural" is a wish, not a region)
    rf"|\b(?:but|except|while|and|just)\s+(?:keep|leave)(?:ing)?\s+{_NP}"
    rf"(?=\s*(?:[,.;!?]|$|{_IN_COLOUR}|{_AS_IS}))"
    rf"|\b(?:leave|keep|leaving|keeping)\s+{_NP}\s+{_IN_COLOUR}"
    rf"|\b(?:don'?t|do not|without)\s+(?:touch(?:ing)?|chang(?:e|ing)|edit(?:ing)?)\s+{_NP}",
    re.I)
_PATTERNS = [
    re.compile(rf"\b(?:{_REMOVE_VERBS})\s+{_NP}", re.I),
    re.compile(rf"\b(?:{_REMOVE_VERBS})\s+([a-z][^,.;:!?()\n]{{0,60}}?){_STOP}", re.I),
    re.compile(rf"\b(?:{_EDIT_VERBS})\s+{_NP}", re.I),
    re.compile(rf"\b{_OF}\s+{_NP}", re.I),
    # "the sky is too dull" (not after "so": "lighten it so the dog is visible" is a purpose)
    re.compile(rf"(?:^|[,.;!?]\s*|\b(?:and|but)\s+){_NP}\s+(?:is|are|looks?|seems?)\b", re.I),
]


# "increase the saturation of the flowers", "lighten the shadows on his face": a quality of a
# region, edited, is that region edited
_QUALITY_OF = re.compile(
    rf"\b(?:{_EDIT_VERBS}|lift|raise|lower|deepen)\s+(?:the\s+|its\s+)?(?:\w+\s+)?"
    r"(?:colou?rs?|saturation|brightness|contrast|shadows?|highlights?|exposure|sharpness|"
    rf"tones?|lighting|warmth|hue|vibrance|detail)\s+(?:of|on|in)\s+{_NP}", re.I)

# "cut her out of the photo", "take him out": the object between the verb and its particle
_SPLIT_REMOVAL = re.compile(r"\b(?:cut|take|get|edit|crop|photoshop|clone|rub)\s+"
                            r"(him|her|them|me|us)\s+out\b", re.I)

# "..., the sea darker": a clause that is a noun and what it should become has shared the
# verb before it ("make the sky bluer, the sea darker"), so its noun is that verb's object
_BECOMES = (r"(?:(?:much|a bit|a little|slightly|way|far|even)\s+)?(?:darker|brighter|lighter|"
            r"warmer|cooler|bluer|greener|redder|sharper|softer|more\s+\w+|less\s+\w+)")
_VERBLESS_OBJECT = re.compile(rf"^{_NP}\s+{_BECOMES}\b", re.I)
# "I want the background darker", "I'd like the sky bluer": the wish's object is edited
_WANTED_OBJECT = re.compile(rf"\b(?:want|like|need|prefer|wish)\s+{_NP}\s+{_BECOMES}\b", re.I)
# "the saturation of the flowers only", "of just the sky": a place the edit is limited to
_ONLY = [re.compile(rf"\b{_OF}\s+(?:only|just)\s+{_NP}", re.I),
         re.compile(rf"\b{_OF}\s+{_NP}\s+only\b", re.I)]
_ENDS_BECOMING = re.compile(rf"\s{_BECOMES}$", re.I)


@dataclass(frozen=True)
class Target:
    phrase: str
    start: int
    end: int
    exclude: bool = False
    # the object of an editing/removal verb ("brighten the face") or an exclusion; False for
    # a phrase after a preposition or a clause's subject ("more colour on the sail", "the
    # white is too bright"), which often says where something is rather than what to edit
    direct: bool = True
    # an exclusion from a region rather than from the photo: "brighten the face except the
    # eyes" excludes "the eyes" within "the face"
    within: str | None = None

    @property
    def as_step_target(self) -> str:
        if self.exclude and self.within:
            return region_less(self.within, self.phrase)
        return NOT_PREFIX + self.phrase if self.exclude else self.phrase

    def evidence(self) -> str:
        scope = (f'"{self.within}" except ' if self.within
                 else "everything except " if self.exclude else "")
        return f'target {scope}"{self.phrase}" at chars {self.start}-{self.end}'


_ATTRIBUTE = re.compile(r"^(?:(?:the|its|their|his|her|my|this|that|all of the|all the|all|"
                        r"some|any|a|an)\s+)?(?:overall\s+|original\s+|natural\s+)?"
                        r"(?:(?:red|green|blue|yellow|orange|purple|pink|\w+ish|warm|"
                        r"cool|cold|dark|bright|light)\s+)?(?:\w+ness|pigment|warmth|great deal|"
                        r"colou?ring|vibrancy|contrast|colou?rs?|saturation|exposure|"
                        r"lighting|light|tones?|hue|quality|sharpness|clarity|focus|levels?|"
                        r"amount|intensity|vibrance|white balance|temperature|shadows?|"
                        r"highlights?|whites|blacks|noise|grain|blur|haze|look|feel|way|bit|little|lot|filters?|"
                        r"effects?)\b",
                        re.I)


# A phrase headed by the picture itself ("the image the image", "the photo overall") names no
# region, whatever follows, unless a preposition narrows it ("the photo of the dog" is still
# the photo; "of the dog" is found as its own candidate).
_PICTURE_HEAD = re.compile(r"^(?:(?:the|this|my|our|your|that|an?)\s+)?(?:whole\s+|entire\s+|"
                           r"input\s+|output\s+|original\s+|desired\s+|final\s+|edited\s+)?"
                           r"(?:image|photo|photograph|picture|pic|shot|it|everything)\b(?!')",
                           re.I)


# "make this red", "make all red": a colour at the end is what the phrase becomes, not a noun.
_PREDICATE = re.compile(r"^(?:this|that|these|those|all|it|everything)\s+(?:\w+\s+)?(?:red|green|"
                        r"blue|yellow|orange|purple|pink|brown|gr[ae]y|white|black|golden)$",
                        re.I)


# "the slightly underexposed image", "this old photo", "my dad's picture", "a nice colored
# portrait": described, but still the picture.
_PICTURE_NP = re.compile(r"^(?:the|this|my|our|your|that|an?)\s+"
                         r"(?:(?!(?:of|on|in|at|with|from|behind|near)\b)[\w'-]+\s+){0,3}"
                         r"(?:image|photo|photograph|picture|pic|shot|portrait)s?$", re.I)


# "all the" alone (before a colour word: "change all the blue to green") names nothing;
# "her", "this" and "those" stand for a region
_DET_ONLY = re.compile(r"^(?:the|a|an|all|some|any)(?:\s+(?:the|a|an|all|some|any))*$", re.I)
# "make my lips a darker red": the article belongs to what the region becomes
_TRAILING_ARTICLE = re.compile(r"\s+(?:a|an|the)$", re.I)


# "make the grass lush", "the water crystal clear", "the sky a deep blue": what the region is
# to become trails its noun (a noun phrase does not end in such an adjective), so it is cut off
_BECOME_ADJ = (r"dark|bright|vibrant|vivid|lush|clear|crisp|pure|deep|rich|pale|dull|warm|cool|"
               r"cold|sharp|soft|smooth|clean|saturated|desaturated|muted|bold|lively|visible|"
               r"prominent|nice|pretty|beautiful|dramatic|moody|glowing|radiant|sunny|golden|"
               r"silky|dreamy|spotless|flawless|shiny|glossy|matte|even|uniform|focused")
_PREDICATE_TAIL = re.compile(
    rf"(?:\s+(?:a|an))?(?:\s+(?:very|really|more|less|much|super|so|extra|crystal|"
    rf"{_BECOME_ADJ}))*\s+(?:{_BECOME_ADJ})$", re.I)

# "keep the skin tones natural": a wish about how something stays, not a region
_WISH = re.compile(r"\s(?:natural|realistic|normal)$", re.I)

# "a tiny bit brighter", "a touch warmer": how much, not where
_AMOUNT = re.compile(r"^(?:(?:a|an|the|one|another)\s+)?(?:(?:tiny|little|wee|teeny|small|"
                     r"good|fair|great|whole|bit|lot)\s+)*(?:bit|touch|tad|smidge|hint|notch|"
                     r"lot|deal|step|degree|percent|stop|shade)s?(?:\s+more|\s+less)?$", re.I)

# "the sky is too bright", "the left half looks a bit dark": a complaint about a region asks
# for that region to be edited, as "brighten the sky" does. A tone or colour as the subject
# ("the white is too bright", "the blues are too strong") names no region.
_COMPLAINT = re.compile(r"\s+(?:is|are|looks?|seems?|appears?)\s+(?:(?:way|far|much|a bit|"
                        r"a little|slightly|kind of|kinda|rather|quite|still)\s+)?"
                        r"(?:too|overly|so|very)\s+[a-z]", re.I)
_TONE_SUBJECT = re.compile(rf"\b(?:{NAMES}|whites?|blacks?|colou?rs?|tones?|shadows?|"
                           r"highlights?|midtones?|darks?|lights?)$", re.I)


def _is_region(phrase: str) -> bool:
    p = phrase.strip()
    return (bool(p) and not _DET_ONLY.match(p) and not _WISH.search(p) and not _GLOBAL.match(p)
            and not _ATTRIBUTE.match(p) and not _AMOUNT.match(p)
            and not _PICTURE_HEAD.match(p) and not _PICTURE_NP.match(p)
            and not _PREDICATE.search(p))


def _clean(m: re.Match, group: int) -> tuple[str, int, int] | None:
    phrase = m.group(group)
    if phrase is None:
        return None
    start, end = m.start(group), m.end(group)
    stripped = phrase.rstrip()
    if _TRAILING_ARTICLE.search(stripped) and len(stripped.split()) > 2:
        stripped = _TRAILING_ARTICLE.sub("", stripped)
    if len(stripped.split()) > 2 or not re.match(rf"^{_DET}\s", stripped, re.I):
        stripped = _PREDICATE_TAIL.sub("", stripped)
    end -= len(phrase) - len(stripped)
    return (stripped, start, end) if _is_region(stripped) else None


def _complaint_about(text: str, got: tuple[str, int, int]) -> bool:
    phrase, _, end = got
    return bool(_COMPLAINT.match(text, end)) and not _TONE_SUBJECT.search(phrase)


def find_exclusion(text: str) -> Target | None:
    for m in _EXCLUDE.finditer(text):
        for g in range(1, (m.lastindex or 0) + 1):
            got = _clean(m, g)
            if got:
                return Target(*got, exclude=True)
    return None


def find_targets(text: str, remove: bool = False) -> list[Target]:
    """Candidate region phrases in order of preference (removal verbs first for inpaint)."""
    only = [*_ONLY, _VERBLESS_OBJECT, _WANTED_OBJECT, _QUALITY_OF]
    pats = ([*_PATTERNS[:3], _SPLIT_REMOVAL] if remove else _PATTERNS[2:3]) + only + _PATTERNS[3:]
    direct = [*_PATTERNS[:3], _SPLIT_REMOVAL, *only]
    out: list[Target] = []
    for pat in pats:
        for m in pat.finditer(text):
            got = _clean(m, 1)
            if got and all(got[1] != t.start for t in out):
                out.append(Target(*got, direct=pat in direct or (
                    pat is _PATTERNS[4] and _complaint_about(text, got))))
    return out


_FRAME_EDGES = re.compile(r"\b(?:the\s+)?(?:edges|corners|borders)\b", re.I)


def best_target(text: str, op: str) -> Target | None:
    """The region a local step of `op` applies to, or None if the words name none."""
    excl = find_exclusion(text)
    if excl and op not in ("inpaint_obj", "color_bg"):
        return excl
    if op == "color_bg":
        m = re.search(r"\b(?:the\s+)?back\s?ground\b", text, re.I)
        if m:
            return Target(m.group(0), m.start(), m.end())
    if op == "gaussian_blur":  # "blur the edges": the frame's (elsewhere they mean a vignette)
        m = _FRAME_EDGES.search(text)
        if m:
            return Target(m.group(0), m.start(), m.end())
    cands = find_targets(text, remove=op == "inpaint_obj")
    return cands[0] if cands else None


# One more region in a list after a verb's object: ", the dog", "and the car" (the item must
# end its clause, so "remove the man and the sky is dark" lists nothing).
_LIST_ITEM = re.compile(rf"(?:\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&|as well as|plus)\s+){_NP}"
                        r"(?=\s*(?:[,.;!?]|$|\s(?:and|&|please|too|as well)\b))", re.I)
_HAS_VERB = re.compile(r"\b(?:is|are|was|were|looks?|seems?|needs?|has|have)\b", re.I)
_LEADING_VERB = re.compile(rf"^(?:(?:please|pls|can you|could you|would you)\s+)*"
                           rf"((?:{_REMOVE_VERBS}|{_EDIT_VERBS}))\b", re.I)
_VERBLESS = re.compile(rf"^(?:{_DET}\s|{_BARE}\b)", re.I)


def listed_after(text: str, end: int, limit: int = 8) -> list[Target]:
    """Regions listed right after a target that ends at `end`: "remove the man, the dog and
    the car" -> the dog, the car."""
    out: list[Target] = []
    pos = end
    while len(out) < limit and (m := _LIST_ITEM.match(text, pos)) is not None:
        got = _clean(m, 1)
        if got is None or _HAS_VERB.search(got[0]) or _ENDS_BECOMING.search(got[0]):
            break
        out.append(Target(*got))
        pos = m.end()
    return out


def has_verb(words: str) -> bool:
    return bool(_HAS_VERB.search(words))


def leading_verb(clause: str) -> str | None:
    """The editing verb a clause starts with ("make the sky bluer" -> "make")."""
    m = _LEADING_VERB.match(clause)
    return m.group(1) if m else None


def verbless(clause: str) -> bool:
    """A clause that starts with its noun ("the trees greener"): it shares the verb of the
    clause before it."""
    return bool(_VERBLESS.match(clause))


# Things a removal cannot take out: a photo's flaws that other ops fix
# (tones, haze and blur have their own ops; black bars and borders are cropped, not filled)
_FLAW = re.compile(r"\b(?:red[- ]?eyes?|red(?:ness|nes)|wrinkles?|blemish\w*|glare|casts?|tint\w*|"
                   r"ton(?:e|es)?|hues?|colou?rs?|filters?|effects?|looks?|vintage|sepia|haze|"
                   r"hazy|fog\w*|smog|mist|blur\w*|flare|shine|reflections?|borders?|bars?|"
                   r"edges?|frame|black parts?|blank\w*|brown|orange|yellow|green|blue|purple|"
                   r"pink|gr[ae]y|red|noise|grain|shadows?|space|portion|parts?|surroundings|"
                   r"bags)\b", re.I)


def removal_object(text: str) -> Target | None:
    """The object of a removal verb when it is a thing in the picture ("remove the power
    lines"), not a quality ("remove the noise", "remove the yellow tint")."""
    for pat in _PATTERNS[:2]:
        for m in pat.finditer(text):
            if m.group(0).lower().startswith("crop"):
                continue  # "crop out the lower portion" is as often a crop as a removal
            got = _clean(m, 1)
            if got and not _FLAW.search(got[0]) and not has_verb(got[0]):
                return Target(*got)
    return None


# "cut her out", "cut out the dog from the background": keep the subject, clear the rest (a
# cut-out), unlike "cut her out of the photo" or "cut out the man on the left" (removals)
_ISOLATE = re.compile(
    r"\bcut\s+(?:(him|her|them|me|us)\s+out\b(?!\s+of\b)|out\s+(him|her|them|me|us)\b(?!\s+of\b)"
    rf"|(?:out\s+)?({_DET}\s+[\w' -]{{1,40}}?)\s+(?:out\s+)?(?:of|from)\s+(?:the|its|their|his|"
    r"her)\s+back\s?ground)", re.I)


def isolated_subject(text: str) -> tuple[Target, str] | None:
    """The subject a cut-out keeps and the words that ask for it ("cut her out" -> "her"), or
    None. A fill's target names what it keeps: grounding gives color_bg the rest."""
    m = _ISOLATE.search(text)
    if m is None:
        return None
    g = next(i for i in (1, 2, 3) if m.group(i))
    return Target(m.group(g), m.start(g), m.end(g)), m.group(0)
