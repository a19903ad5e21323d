"""Entry point for request understanding: request (+ image) -> proposed steps.

    understand("remove the people in the background and brighten it a bit", rgb)

Each Step carries op, params, confidence, local, target (for local steps; the pipeline grounds
it into a mask) and evidence (the words and/or image measurements behind it). Any string is
accepted: empty, huge, emoji, markup or gibberish gives [] rather than an exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import numpy as np

from lbie_desktop.core.plan import Step
from lbie_desktop.understanding.clauses import (
    Clause,
    op_clause,
    op_patterns,
    scoped_text,
    split_clauses,
)
from lbie_desktop.understanding.decide import (
    OpDecision,
    asks_for_something,
    decide,
    looks_like_words,
)
from lbie_desktop.understanding.encoder import MAX_CHARS
from lbie_desktop.understanding.framing import subject_crop_step, trims_a_margin
from lbie_desktop.understanding.lexicon import (
    NEGATED_CLAUSE,
    OP_WORDS,
    lexicon_hits,
    without_black_and_white,
)
from lbie_desktop.understanding.looks import look_steps
from lbie_desktop.understanding.measure import ImageStats, measure
from lbie_desktop.understanding.params import choose_params
from lbie_desktop.understanding.targets import (
    KEPT_COLOUR,
    Target,
    best_target,
    has_verb,
    leading_verb,
    listed_after,
    verbless,
)

log = logging.getLogger(__name__)

# Render order: fill holes first, then framing, tone, colour, detail.
ORDER = ("inpaint_obj", "color_bg", "crop", "rotate", "flip", "exposure", "brightness",
         "lightness", "shadows", "highlights", "contrast", "tint", "dehaze", "temperature", "hue",
         "saturation", "vibrance", "black_white", "red_eye", "recolor", "vignette", "denoise", "sharpness",
         "gaussian_blur", "radial_blur")
# GIER labels brightness and lightness (and exposure) together; applying all of them would
# brighten twice, so the plan keeps one tone op. The noun "exposure" names the exposure op;
# "underexposed" is a complaint that asks for brightening like "too dark".
_TONE = ("brightness", "exposure", "lightness")
_TONE_OWN = {"exposure": re.compile(r"\b(?:exposure|stops?|\d+(?:\.\d+)?\s*ev)\b", re.I),
             "brightness": re.compile(r"\b(?:bright\w*|dark\w*|dim\w*)\b", re.I),
             "lightness": re.compile(r"\blightness\b", re.I)}
# Colour words that ask for a colour curve rather than white balance ("a yellow tint" stays
# temperature: the lexicon reads it as a cast); "colours" alone names neither.
_HUE_OWN = re.compile(r"\b(?:hue|tint\w*|cast|yellow\w*|blu(?:e|er|ish)|green\w*|"
                      r"red(?:der|dish|ness)?|orange|purple|pink\w*|magenta)\b", re.I)
_SCOPED_PARAMS_EXCEPT = frozenset({"recolor", "color_bg", "rotate", "flip"})

_TAGS = re.compile(r"<[^<>]{0,200}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(request: object) -> str:
    text = request if isinstance(request, str) else ("" if request is None else str(request))
    text = _CONTROL.sub(" ", _TAGS.sub(" ", text[: MAX_CHARS * 2]))
    return re.sub(r"\s+", " ", text).strip()[:MAX_CHARS]


# "make it brighter. no, darker": a correction inside one request replaces what it corrects
_CORRECTION = re.compile(r"^(?P<first>.+?)[.,;!]\s*(?:no+|nope|actually|sorry|oops|wait|i mean|"
                         r"rather)\s*[,.!:-]?\s+(?:i mean\s+|make it\s+)?(?P<then>\S.*)$", re.I)


def corrected(text: str) -> str:
    """The request with an in-request correction applied: the words after "no," when they
    name an op the words before also name (otherwise both parts stand)."""
    from lbie_desktop.understanding.clauses import op_word_spans

    m = _CORRECTION.match(text)
    if m is None:
        return text
    first, then = m.group("first"), m.group("then")
    same = [op for op in set(OP_WORDS) | {"brightness", "contrast", "saturation", "hue"}
            if op_word_spans(first, op) and op_word_spans(then, op)]
    return then if same else text


def understand(request: str, image: np.ndarray | None = None) -> list[Step]:
    return understand_many([request], [image])[0]


def understand_many(requests: Sequence[str], images: Sequence[np.ndarray | None] | None = None
                    ) -> list[list[Step]]:
    """Batch form (the classifier encodes in batches): one step list per request."""
    from lbie_desktop.understanding.classifier import get_classifier
    from lbie_desktop.understanding.describe import describe_steps, is_descriptive

    texts = [corrected(clean_text(r)) for r in requests]
    clf = get_classifier()
    vocab = clf.vocab if clf else None
    live = [i for i, t in enumerate(texts) if looks_like_words(t, vocab)
            and asks_for_something(t)]
    probs = local = None
    if clf is not None and live:
        probs, local = clf.predict([texts[i] for i in live])
    out: list[list[Step]] = [[] for _ in texts]
    for k, i in enumerate(live):
        text = texts[i]
        image = images[i] if images is not None and i < len(images) else None
        stats = measure(image) if image is not None else None
        if is_descriptive(text):
            out[i] = describe_steps(text, stats)
            continue
        decisions = (decide(text, probs[k], local[k], clf.ops, clf.thresholds)
                     if clf is not None and probs is not None and local is not None
                     else decide(text, None, None, (), {}))
        out[i] = plan_steps(text, decisions, stats)
    return out


_SATURATION_WORDS = r"(?:de)?saturat\w*|vivid\w*|vibran\w*|muted|dull|washed"

# Words that name the ops the lexicon leaves to the classifier; used only to tell the ops a
# request asks for from the ones the classifier adds because they usually come along.
_NAMES: dict[str, re.Pattern[str]] = {k: re.compile(v, re.I) for k, v in {
    "brightness": r"\b(?:bright\w*|dark\w*|light(?:en\w*|er|ness)?|dim\w*|expos\w*|gloomy)\b",
    "lightness": r"\b(?:bright\w*|dark\w*|light(?:en\w*|er|ness)?|dim\w*)\b",
    "contrast": r"\b(?:contrast\w*|punch\w*|flat|pop)\b",
    "saturation": rf"\b(?:{_SATURATION_WORDS}|colou?r\w*)\b",
    "hue": r"\b(?:hue|tint\w*|colou?r\w*|cast|warm\w*|cool\w*|yellow\w*|blu(?:e|er|ish)|"
           r"green\w*|red(?:der|dish|ness)?|orange|purple|pink\w*|magenta)\b",
    "tint": r"\b(?:tone\w*|tint\w*|curves?|shadows?|highlights?|fade\w*|matte)\b",
    "inpaint_obj": r"\b(?:remov\w*|eras\w*|delet\w*|rid|take (?:out|away)|without|clean\w*|"
                   r"disappear\w*|gone|crop out)\b",
    "color_bg": r"\b(?:background|backdrop|cut ?out|transparent)\b",
}.items()}


# "keep the colours natural", "leave the skin tones as they are": what must not change asks
# for no edit of its own
_KEEP_AS_IS = re.compile(r"\b(?:keep|leave|keeping|leaving)\s+[\w' ]{1,40}?\s+(?:natural|"
                         r"realistic|normal|the same|as (?:it is|they are|is)|alone|untouched|"
                         r"unchanged|intact)\b", re.I)
_SATURATION_OWN = re.compile(rf"\b(?:{_SATURATION_WORDS})\b", re.I)  # without "colour"


def _tone_keep(text: str, present: list[str]) -> str:
    named = [op for op in _TONE if op in present and _TONE_OWN[op].search(text)]
    return named[0] if named else present[0]


def _own_hue_words(text: str) -> bool:
    warm = [m.span() for m in OP_WORDS["temperature"].finditer(text)]
    return any(not any(a <= m.start() < b for a, b in warm) for m in _HUE_OWN.finditer(text))


def _alternatives(text: str, chosen: dict[str, OpDecision]) -> dict[str, str]:
    """Same-intent ops: one is applied, the other offered switched off (op -> the op it is an
    alternative to). The offered one is GIER's usual op for these words, so a person who
    prefers it is one click away, and nothing is applied twice."""
    alt: dict[str, str] = {}
    tone = [op for op in _TONE if op in chosen]
    if len(tone) > 1:
        keep = _tone_keep(text, tone)
        for op in tone:
            if op == keep:
                continue
            if op == "brightness":
                alt[op] = keep  # GIER's own tone op stays on offer
            else:
                kept = chosen[keep]
                kept.confidence = max(kept.confidence, chosen.pop(op).confidence)
    if "color_bg" in chosen and "recolor" in chosen:
        alt["recolor"] = "color_bg"  # "make the background white": a fill; a tint on offer
    if "recolor" in chosen and "hue" in chosen:
        alt["hue"] = "recolor"  # "make the sky bluer": one colour change on the sky
    elif "temperature" in chosen and "hue" in chosen:
        if _own_hue_words(text) and not re.search(r"white balance|temperature", text, re.I):
            alt["temperature"] = "hue"  # "a blue tone on the sky, warmer": a colour curve
        else:
            alt["hue"] = "temperature"  # warm/cool words: white balance says it more plainly
    if "vibrance" in chosen and "saturation" in chosen:
        if not re.search(r"saturat", text, re.I) and (
                re.search(r"\bvibrance\b", text, re.I)
                or re.search(r"\bpop\b", text, re.I) and not re.search(r"\bcolou?r", text, re.I)):
            # the tool named outright, or "make the flowers pop": vibrance, where it is said
            alt["saturation"] = "vibrance"
        else:
            alt["vibrance"] = "saturation"  # "vivid", "vibrant": more colour
    for op, primary in alt.items():  # offered for the same region as the op it stands in for
        chosen[op].local, chosen[op].target = chosen[primary].local, chosen[primary].target
        chosen[op].no_region = chosen[primary].no_region
    return alt


def plan_steps(text: str, decisions: list[OpDecision], stats: ImageStats | None) -> list[Step]:
    chosen = {d.op: d for d in decisions}
    alt = _alternatives(text, chosen)
    if stats is not None and stats.grey:
        for op in ("saturation", "vibrance", "hue", "temperature", "black_white"):
            chosen.pop(op, None)  # no colour to work on
    clauses = split_clauses(text)
    steps: list[Step] = []
    for op in sorted(chosen, key=lambda o: ORDER.index(o) if o in ORDER else len(ORDER)):
        d = chosen[op]
        # size and direction come from the op's own clause ("brighten it a lot and add a
        # little contrast"); colours, angles and fills read the whole request
        # (an alternative reads the clause of the op it stands in for)
        words = (text if op in _SCOPED_PARAMS_EXCEPT
                 else scoped_text(text, alt.get(op, op), clauses))
        choice = choose_params(op, words, stats)
        if not choice.useful and not d.words:
            continue
        evidence = [f'words: "{w}"' for w in d.words]
        evidence += [e for e in choice.evidence if e not in evidence]
        target = None
        if d.local and d.target is not None:
            target = d.target.as_step_target
            evidence.append(d.target.evidence())
        elif d.no_region:
            evidence.append("no region named: whole image")
        if d.negated_by:
            evidence.append(f'not: "{d.negated_by}"')
        if not evidence:
            evidence.append("classifier: the request as a whole")
        step = Step(op, choice.params, confidence=round(d.confidence, 4), local=d.local,
                    target=target, evidence=evidence)
        if op in alt and alt[op] in chosen:
            step.enabled = False
            step.evidence.append(f"alternative to {alt[op]}: switch on to use it instead")
        steps.append(step)
    # GIER's labels are the editor's whole edit, so the classifier also proposes ops that
    # usually come along ("brighten" -> contrast). When the words name some ops, the others
    # are offered switched off: shown on their card, applied only if the person agrees.
    named = lexicon_hits(text)

    # Words inside a region phrase describe the region, not an edit: "the red dress" asks for
    # no hue change; and "black and white" is a conversion, not two colours.
    spoken = without_black_and_white(text)
    for pat in (_KEEP_AS_IS, NEGATED_CLAUSE):
        spoken = pat.sub(lambda m: " " * len(m.group(0)), spoken)
    for d in chosen.values():
        t = d.target
        if t is not None and 0 <= t.start < t.end <= len(spoken):
            spoken = spoken[:t.start] + " " * (t.end - t.start) + spoken[t.end:]
        if t is not None and t.exclude:  # "leave the dress in colour" asks for no colour
            spoken = KEPT_COLOUR.sub(lambda m: " " * len(m.group(0)), spoken)
    recolouring = "recolor" in chosen and "recolor" in named

    def asked(s: Step) -> bool:
        # the op's own words, not words that merely set its direction ("brighten" shapes the
        # tone curve's midtones but does not ask for a tone curve)
        pat = _NAMES.get(s.op)
        if s.op == "saturation" and recolouring:
            pat = _SATURATION_OWN  # "change the colour of the car": a recolour, not saturation
        return s.op in named or bool(chosen[s.op].words) or bool(pat and pat.search(spoken))

    if any(asked(s) for s in steps if s.enabled):
        for s in steps:
            if s.enabled and not asked(s):
                s.enabled = False
                s.evidence.append("suggested, not asked for: switch on to apply")
    steps = _with_more_regions(text, steps, chosen, clauses, stats)
    # "crop out the bottom": a margin cropped away, not a place to remove things from. ("crop
    # out the man on the left" stays a removal: GIER's requesters mean that by it, 15 of 17
    # such val requests; framing.crop_out_step would crop him away instead.)
    steps = [s for s in steps if not (s.op == "inpaint_obj" and s.target is not None
                                      and trims_a_margin(text, s.target))]
    return _with_look(_with_subject_crop(steps, subject_crop_step(text, stats)),
                      look_steps(text, stats))


def _with_subject_crop(steps: list[Step], crop: Step | None) -> list[Step]:
    """A crop around a named subject ("zoom in on the dog") replaces a plain crop; the
    classifier's global steps the words don't name are offered switched off (the framing
    is what was asked for)."""
    if crop is None:
        return steps
    for s in steps:
        if s.enabled and not s.local and not any(e.startswith("words:") for e in s.evidence):
            s.enabled = False
            s.evidence.append("suggested, not asked for: switch on to apply")
    rest = [s for s in steps if s.op != "crop"]
    at = next((i for i, s in enumerate(rest) if _order(s.op) > _order("crop")), len(rest))
    return [*rest[:at], crop, *rest[at:]]


def _with_look(steps: list[Step], look: list[Step]) -> list[Step]:
    """A named look ("vintage") sets its ops for the whole photo: its steps replace the
    classifier's global steps of the same ops; local steps and the other ops stay, but a
    global one the words don't name is only offered (the look is what was asked for)."""
    if not look:
        return steps
    ops = {s.op for s in look}
    kept = [s for s in steps if s.local or s.op not in ops]
    for s in kept:
        if s.enabled and not s.local and not any(e.startswith("words:") for e in s.evidence):
            s.enabled = False
            s.evidence.append("suggested, not asked for: switch on to apply")
    return sorted([*kept, *look], key=lambda s: _order(s.op))  # stable: regions stay in order


def _order(op: str) -> int:
    return ORDER.index(op) if op in ORDER else len(ORDER)


# Regions one edit may name (each is grounded apart, at up to seconds each); a longer list is
# not a request a person writes.
MAX_REGIONS = 8


def _with_more_regions(text: str, steps: list[Step], chosen: dict[str, OpDecision],
                       clauses: list[Clause], stats: ImageStats | None) -> list[Step]:
    """One step per region when the words name several for one op: a list after the verb
    ("remove the man, the dog and the car") or the op again in a later clause ("brighten the
    face and darken the sky", "make the sky bluer and the trees greener"). Each extra step
    follows its own step (the person sees, grounds and switches each region apart)."""
    out: list[Step] = []
    for s in steps:
        extra: list[Step] = []
        if s.enabled and _can_be_local(s.op):
            d = chosen[s.op]
            own = op_clause(text, s.op, clauses)
            verb = leading_verb(own.text) if own is not None else None
            sharing = True  # still in a run of verbless clauses right after the op's own
            listed: list[Step] = []  # "darken the sky and the sea": after the clause steps
            for c in clauses:
                if own is None or c.start <= own.start or c is own:
                    continue
                words, at = c.text, c.start
                sharing = sharing and verbless(c.text) and not has_verb(c.text)
                if (sharing and verb and _names(s.op, c.text)
                        and not re.search(r"\bbut\b", text[own.start + len(own.text):c.start])):
                    # "make the sky bluer and the trees greener": the verb is shared
                    words, at = f"{verb} {c.text}", c.start - len(verb) - 1
                elif not _names(s.op, c.text):
                    continue
                t = best_target(words, s.op)
                if t is None or t.exclude or not t.direct:
                    continue
                t = Target(t.phrase, t.start + at, t.end + at)
                step = _region_step(s, t, words, stats)
                extra.append(step)
                listed += [_region_step(step, lt, text, stats, params=step.params)
                           for lt in listed_after(text, t.end, MAX_REGIONS)]
            extra += listed
            if d.target is not None and d.target.direct and not d.target.exclude and s.local:
                extra[:0] = [_region_step(s, t, scoped_text(text, s.op, clauses), stats)
                             for t in listed_after(text, d.target.end, MAX_REGIONS)]
            if extra and s.op == "recolor" and own is not None:  # each clause its own colour
                s.params = choose_params(s.op, own.text, stats).params
        out += [s, *_unique(s, extra)[:MAX_REGIONS - 1]]
    return out


def _can_be_local(op: str) -> bool:
    from lbie_desktop.core.ops import get_op
    from lbie_desktop.understanding.decide import NEVER_LOCAL

    return op not in NEVER_LOCAL and get_op(op).can_be_local


def _names(op: str, words: str) -> bool:
    """The words name `op` (for a recolour, a colour word is enough: "the trees greener")."""
    pats = op_patterns(op) + (op_patterns("hue") if op == "recolor" else [])
    # "the red-eye" names no colour edit; "don't make the faces orange" no recolour
    words = NEGATED_CLAUSE.sub("", without_black_and_white(words))
    return any(p.search(words) for p in pats)


def _region_step(like: Step, t: Target, words: str, stats: ImageStats | None,
                 params: dict | None = None) -> Step:
    choice = choose_params(like.op, words, stats)
    evidence = [*choice.evidence, t.evidence(), "one more region for this edit"]
    step = Step(like.op, dict(params if params is not None else choice.params),
                confidence=like.confidence, local=True, target=t.phrase, evidence=evidence)
    step.enabled = like.enabled
    return step


def _unique(primary: Step, extra: list[Step]) -> list[Step]:
    seen = {(primary.target or "").lower()}
    out = []
    for e in extra:
        if (e.target or "").lower() not in seen:
            seen.add((e.target or "").lower())
            out.append(e)
    return out
