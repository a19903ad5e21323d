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
from lbie_desktop.understanding.decide import OpDecision, decide, looks_like_words
from lbie_desktop.understanding.encoder import MAX_CHARS
from lbie_desktop.understanding.lexicon import OP_WORDS, lexicon_hits
from lbie_desktop.understanding.measure import ImageStats, measure
from lbie_desktop.understanding.params import choose_params
from lbie_desktop.understanding.targets import best_target

log = logging.getLogger(__name__)

# Render order: fill holes first, then framing, tone, colour, detail.
ORDER = ("inpaint_obj", "color_bg", "crop", "rotate", "flip", "exposure", "brightness",
         "lightness", "shadows", "highlights", "contrast", "tint", "dehaze", "temperature", "hue",
         "saturation", "vibrance", "black_white", "recolor", "denoise", "sharpness",
         "gaussian_blur", "radial_blur")
# GIER labels brightness and lightness (and exposure) together; applying all of them would
# brighten twice, so the plan keeps one tone op (the first listed that was predicted).
_SAME_INTENT: tuple[tuple[str, ...], ...] = (
    ("exposure", "brightness", "lightness"),
)

_TAGS = re.compile(r"<[^<>]{0,200}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(request: object) -> str:
    text = request if isinstance(request, str) else ("" if request is None else str(request))
    text = _CONTROL.sub(" ", _TAGS.sub(" ", text[: MAX_CHARS * 2]))
    return re.sub(r"\s+", " ", text).strip()[:MAX_CHARS]


def understand(request: str, image: np.ndarray | None = None) -> list[Step]:
    return understand_many([request], [image])[0]


def understand_many(requests: Sequence[str], images: Sequence[np.ndarray | None] | None = None
                    ) -> list[list[Step]]:
    """Batch form (the classifier encodes in batches): one step list per request."""
    from lbie_desktop.understanding.classifier import get_classifier
    from lbie_desktop.understanding.describe import describe_steps, is_descriptive

    texts = [clean_text(r) for r in requests]
    clf = get_classifier()
    vocab = clf.vocab if clf else None
    live = [i for i, t in enumerate(texts) if looks_like_words(t, vocab)]
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


# Words that name the ops the lexicon leaves to the classifier; used only to tell the ops a
# request asks for from the ones the classifier adds because they usually come along.
_NAMES: dict[str, re.Pattern[str]] = {k: re.compile(v, re.I) for k, v in {
    "brightness": r"\b(?:bright\w*|dark\w*|light(?:en\w*|er|ness)?|dim\w*|expos\w*|gloomy)\b",
    "lightness": r"\b(?:bright\w*|dark\w*|light(?:en\w*|er|ness)?|dim\w*)\b",
    "contrast": r"\b(?:contrast\w*|punch\w*|flat|pop)\b",
    "saturation": r"\b(?:saturat\w*|colou?r\w*|vivid\w*|vibran\w*|muted|dull|washed)\b",
    "hue": r"\b(?:hue|tint\w*|colou?r\w*|cast|warm\w*|cool\w*|yellow\w*|blu(?:e|er|ish)|"
           r"green\w*|red\w*|orange|purple|pink\w*|magenta)\b",
    "tint": r"\b(?:tone\w*|tint\w*|curves?|shadows?|highlights?|fade\w*|matte)\b",
    "inpaint_obj": r"\b(?:remov\w*|eras\w*|delet\w*|rid|take (?:out|away)|without|clean\w*|"
                   r"disappear\w*|gone|crop out)\b",
    "color_bg": r"\b(?:background|backdrop|cut ?out|transparent)\b",
}.items()}


def _names_region_directly(text: str, op: str) -> bool:
    """True when the words that name `op` stand right next to a region phrase: "brighten the
    sky", "make the sky brighter". GIER seldom marks tone ops local, so the classifier's
    locality is cautious; this is the syntax a person uses to say "only there"."""
    from lbie_desktop.core.ops import get_op

    if not get_op(op).can_be_local or op in ("crop", "rotate", "flip"):
        return False
    t = best_target(text, op)
    if t is None or t.exclude:
        return False
    pats = [p for p in (_NAMES.get(op), OP_WORDS.get(op)) if p is not None]
    for pat in pats:
        for m in pat.finditer(text):
            gap_after = t.start - m.end()  # "<verb> the sky"
            gap_before = m.start() - t.end  # "the sky <comparative>"
            if 0 <= gap_after <= 1 or 0 <= gap_before <= 1:
                return True
    return False


def plan_steps(text: str, decisions: list[OpDecision], stats: ImageStats | None) -> list[Step]:
    chosen = {d.op: d for d in decisions}
    for group in _SAME_INTENT:
        present = [op for op in group if op in chosen]
        named = [op for op in present if chosen[op].words]
        keep = (named or present)[:1]
        for op in present:
            if op not in keep:
                kept = chosen[keep[0]]
                kept.confidence = max(kept.confidence, chosen.pop(op).confidence)
    if "temperature" in chosen and "hue" in chosen and not chosen["hue"].words:
        chosen.pop("hue")  # warm/cool words: white balance says it more plainly
    if "vibrance" in chosen and "saturation" in chosen and not chosen["saturation"].words:
        chosen.pop("saturation")
    if stats is not None and stats.grey:
        for op in ("saturation", "vibrance", "hue", "temperature", "black_white"):
            chosen.pop(op, None)  # no colour to work on
    steps: list[Step] = []
    for op in sorted(chosen, key=lambda o: ORDER.index(o) if o in ORDER else len(ORDER)):
        d = chosen[op]
        choice = choose_params(op, text, stats)
        if not choice.useful and not d.words:
            continue
        evidence = [f'words: "{w}"' for w in d.words]
        evidence += [e for e in choice.evidence if e not in evidence]
        target = None
        if not d.local and _names_region_directly(text, op):
            d.local = True  # "brighten the sky": the region is the verb's own object
        if d.local:
            t = best_target(text, op)
            if t is not None:
                target = t.as_step_target
                evidence.append(t.evidence())
        elif d.no_region:
            evidence.append("no region named: whole image")
        if d.negated_by:
            evidence.append(f'not: "{d.negated_by}"')
        if not evidence:
            evidence.append("classifier: the request as a whole")
        steps.append(Step(op, choice.params, confidence=round(d.confidence, 4), local=d.local,
                          target=target, evidence=evidence))
    # GIER's labels are the editor's whole edit, so the classifier also proposes ops that
    # usually come along ("brighten" -> contrast). When the words name some ops, the others
    # are offered switched off: shown on their card, applied only if the person agrees.
    named = lexicon_hits(text)

    def asked(s: Step) -> bool:
        # the op's own words, not words that merely set its direction ("brighten" shapes the
        # tone curve's midtones but does not ask for a tone curve)
        pat = _NAMES.get(s.op)
        return s.op in named or bool(chosen[s.op].words) or bool(pat and pat.search(text))

    if any(asked(s) for s in steps):
        for s in steps:
            if not asked(s):
                s.enabled = False
                s.evidence.append("suggested, not asked for: switch on to apply")
    return steps
