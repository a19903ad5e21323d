"""Which of several found instances a phrase means: place ("on the left"), order ("the second
from the right"), size ("the biggest car"), depth ("in the background", "in the foreground")
and count ("the two men on the left").

Depth comes from size: without a depth model, a person much shorter than the main subject is
farther away. That keeps a couple standing together ("remove the people in the background")
while the small tourists behind them go.
"""

from __future__ import annotations

from collections.abc import Sequence

from lbie_desktop.grounding.router import Query

Box = tuple[float, float, float, float]

# A person this much shorter than the reference (the main subject, or the tallest) is "behind".
FAR = 0.75
# "The man on the left" means a prominent one, not a speck in the crowd at the left edge.
PROMINENT = 0.5
_ORDER_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
                -1: "last"}


def _height(b: Box) -> float:
    return max(0.0, b[3] - b[1])


def _area(b: Box) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def place_score(box: Box, shape: tuple[int, ...], places: Sequence[str]) -> float:
    h, w = shape[:2]
    cx, cy = (box[0] + box[2]) / 2 / w, (box[1] + box[3]) / 2 / h
    s = 0.0
    for p in places:
        s += {"left": -cx, "right": cx, "top": -cy, "bottom": cy,
              "centre": -abs(cx - 0.5) - abs(cy - 0.5),
              "corner": abs(cx - 0.5) + abs(cy - 0.5),
              "edges": max(abs(cx - 0.5), abs(cy - 0.5))}[p]
    return s


def choose(boxes: Sequence[Box], shape: tuple[int, ...], q: Query,
           main_first: bool = False, noun: str = "ones",
           prominent: float = PROMINENT) -> tuple[list[int], str]:
    """Indices of the instances `q` asks for (boxes are in the source's order: main subject or
    best score first) and a short reason; ([], why) when the phrase can't be satisfied.
    `prominent`: the share of the tallest that a place/order phrase still considers."""
    idx = list(range(len(boxes)))
    if not idx:
        return [], f"no {noun} found"
    heights = [_height(b) for b in boxes]
    why: list[str] = []
    if q.background:
        ref = heights[0] if main_first else max(heights)
        far = [i for i in idx if heights[i] < FAR * ref]
        if far:
            idx = far
            why.append("the smaller, farther " + noun + (" (the main subject is kept)"
                                                         if main_first else ""))
        elif main_first and len(idx) > 1:
            idx = idx[1:]
            why.append("keeping the main subject, taking the others")
    elif q.near:
        ref = max(heights)
        idx = [i for i in idx if heights[i] >= FAR * ref]
        why.append(f"the big, near {noun}")
    elif (q.places or q.ordinal) and q.size != "small":
        ref = max(heights[i] for i in idx)
        idx = [i for i in idx if heights[i] >= prominent * ref]

    places = q.places
    if q.ordinal:
        direction = places[0] if places else "left"  # reading order by default
        ordered = sorted(idx, key=lambda i: -place_score(boxes[i], shape, [direction]))
        # "the last one on the right" is the rightmost; a bare "the last one" ends the row
        k = q.ordinal - 1 if q.ordinal > 0 else (0 if places else len(ordered) - 1)
        word = _ORDER_WORDS.get(q.ordinal, f"#{q.ordinal}")
        if k >= len(ordered):
            return [], f"I found only {len(ordered)} {noun}, so there is no {word} one"
        why.append(f"the {word} from the {direction}")
        return [ordered[k]], "; ".join(why)
    if q.size:
        key = (lambda i: -_area(boxes[i])) if q.size == "big" else (lambda i: _area(boxes[i]))
        ordered = sorted(idx, key=key)
        n = q.count or (len(ordered) if q.plural and not q.count else 1)
        if q.plural and not q.count:  # "the big cars": those at least half the biggest's size
            best = _area(boxes[ordered[0]])
            ordered = [i for i in ordered if (_area(boxes[i]) >= 0.5 * best if q.size == "big"
                                              else _area(boxes[i]) <= 2 * best)]
        why.append(f"the {'biggest' if q.size == 'big' else 'smallest'}")
        return ordered[:n], "; ".join(why)
    if places:
        ranked = sorted(idx, key=lambda i: -place_score(boxes[i], shape, places))
        where = "/".join(places)
        if q.count:
            why.append(f"the {q.count} on the {where}")
            return ranked[:q.count], "; ".join(why)
        if q.plural:
            best = place_score(boxes[ranked[0]], shape, places)
            why.append(f"those on the {where}")
            return [i for i in ranked if place_score(boxes[i], shape, places) >= best - 0.25], \
                "; ".join(why)
        why.append(f"the one on the {where}")
        return ranked[:1], "; ".join(why)
    if q.count:
        why.append(f"the {q.count} main ones")
        return idx[:q.count], "; ".join(why)
    if not q.plural and not q.background and len(idx) > 1:
        why.append("taking the main one")
        return idx[:1], "; ".join(why)
    return idx, "; ".join(why)
