"""Entry point for grounding: (image, target phrase, request context) -> soft mask + explanation.

The router says what the phrase asks for; a source finds it; masks are snapped to edges.
Anything not found says so (ok=False, asking the person to paint) — never a silent wrong mask.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from lbie_desktop.errors import MissingModelError
from lbie_desktop.grounding import refine
from lbie_desktop.grounding.router import Query, parse
from lbie_desktop.grounding.select import choose
from lbie_desktop.grounding.vocab import COLOURS, SPATIAL, STOP

PAINT = "paint the region with the brush"


@dataclass
class Grounding:
    mask: np.ndarray | None  # float32 [H,W] in [0,1] at the image's resolution, or None
    explanation: str  # shown to the user: which source, which instances, or why none
    source: str = ""  # e.g. "people", "salient", "sky", "colour", "none"
    ok: bool = False
    instances: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    # Regions a fill must not copy from (the people/subject kept next to a removed object):
    # PatchMatch otherwise pastes a neighbour's torso into the hole. None when unknown.
    avoid: np.ndarray | None = None


def ground(image_rgb: np.ndarray, phrase: str, context: str = "", op: str | None = None) -> Grounding:
    t0 = time.perf_counter()
    arr = np.asarray(image_rgb)
    if arr.ndim == 2:  # greyscale photo
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[0] < 2 or arr.shape[1] < 2:
        return Grounding(None, f"Can't look for “{phrase}” in an image of shape {arr.shape}.",
                         "none", False)
    rgb = np.ascontiguousarray(arr[..., :3])
    if rgb.dtype != np.uint8:
        rgb = (np.clip(rgb, 0, 1) * 255).round().astype(np.uint8) if rgb.dtype.kind == "f" \
            else rgb.astype(np.uint8)
    q = parse(phrase, op)
    try:
        if op == "color_bg" and (q.background or q.kind in ("people", "object", "subject")):
            g = _behind(rgb, q)
        else:
            g = _HANDLERS.get(q.kind, _unknown)(rgb, q)
    except MissingModelError as exc:
        g = Grounding(None, f"Can't find “{phrase}”: {exc}. Or {PAINT}.", "none", False)
    if g.ok and g.mask is not None:
        g.mask = np.clip(g.mask, 0, 1).astype(np.float32)
        if op == "inpaint_obj" and g.source in ("people", "objects", "faces"):
            # Removal needs the whole object: a thin rim left behind gets copied back in.
            g.mask = refine.grow(g.mask, max(2, round(max(g.mask.shape) / 150)))
            if g.avoid is not None:
                g.avoid = g.avoid & (g.mask < 0.5)
        if float(g.mask.max()) < 0.5:
            g = Grounding(None, f"I found no “{phrase}” here; {PAINT}.", g.source, False,
                          g.instances)
    g.seconds = time.perf_counter() - t0
    return g


def _unknown(rgb: np.ndarray, q: Query) -> Grounding:
    if q.phrase.strip():
        from lbie_desktop.grounding.sources import openvocab

        if openvocab.configured():
            m = openvocab.segment(rgb, q.phrase)
            return Grounding(m, f"“{q.phrase}”: open-vocabulary model (CLIPSeg)", "openvocab",
                             True)
        return Grounding(None, f"I don't know how to find “{q.phrase}” yet{_unfindable(q)}; "
                         f"{PAINT}.", "none", False)
    return Grounding(None, f"Which part? Name it or {PAINT}.", "none", False)


def _unfindable(q: Query) -> str:
    """Why not: the encoder's nearest name when it recognised the kind of thing."""
    from lbie_desktop.grounding.semantic import THRESHOLD

    if q.near_name and q.similarity >= THRESHOLD:
        return f" (it looks like a {q.near_name}, which no installed model finds)"
    return ""


def _people(rgb: np.ndarray, q: Query) -> Grounding:
    from lbie_desktop.grounding.sources.people import find_people

    # Tiles for small, far-away people only when the phrase may mean them (3x the time).
    people = find_people(rgb, crowd=q.background or q.plural)
    # A box whose segmentation came out empty can't be selected (nor be "the smallest").
    people = [p for p in people if p.peak >= 0.5]
    if not people:
        return Grounding(None, f"I found no people here; {PAINT}.", "people", False)
    if q.background and len(people) < 2:
        return Grounding(None, "I found only one person (the main subject), nobody in the "
                         f"background; {PAINT}.", "people", False, _inst(people, [0]))
    chosen, how = choose([p.box for p in people], rgb.shape, q, main_first=True, noun="people")
    if not chosen:
        return Grounding(None, f"{how}; {PAINT}.", "people", False, _inst(people, []))
    why = f"{len(people)} people found" + (f"; {how}" if how else "")
    mask = np.zeros(rgb.shape[:2], np.float32)
    for i in chosen:
        people[i].paste_into(mask)
    mask = refine.guided_filter(rgb, mask)
    avoid = None
    if len(chosen) < len(people):
        kept = np.zeros(rgb.shape[:2], np.float32)
        for i in set(range(len(people))) - set(chosen):
            people[i].paste_into(kept)
        avoid = refine.grow(kept, 3) > 0.5
    return Grounding(mask, f"{_via(q)}people (pose + segmentation): {why}", "people", True,
                     _inst(people, chosen), avoid=avoid)


_PART_NAMES = {"eyes": "eyes", "lips": "lips", "mouth": "mouth (inside the lips)",
               "teeth": "teeth (the white inside the lips)", "eyebrows": "eyebrows",
               "skin": "the face's skin (face outline minus eyes, eyebrows and lips)"}


def _faces(rgb: np.ndarray, q: Query) -> Grounding:
    from lbie_desktop.grounding.sources.people import find_people
    from lbie_desktop.models.manager import available

    if q.part and not available("faces"):
        return Grounding(None, f"Can't find “{q.phrase}”: face parts ({q.part}) need the face "
                         "mesh of the faces pack: `lbie models fetch faces` adds it. Or "
                         f"{PAINT}.", "faceparts", False)
    try:
        people = find_people(rgb, crowd=False)
    except MissingModelError:
        people = []
    boxes, masks, how, faces, meshes = [], [], "", [], []
    if available("faces"):
        crowd = q.plural or q.background or any(w in ("faces", "heads", "crowd")
                                                for w in q.words)
        boxes, masks, faces, meshes = _detected_faces(rgb, people, crowd)
        how = "face detector (BlazeFace)"
        if q.part:
            return _face_parts(rgb, q, faces, boxes, meshes)
    if not boxes:  # no pack, or the detector saw no face: the pose's face keypoints
        boxes, masks = _keypoint_faces(rgb, people)
        how = "pose keypoints" + ("" if available("faces") else
                                  " (`lbie models fetch faces` adds a face detector)")
    if not boxes:
        return Grounding(None, f"I found no faces here; {PAINT}.", "faces", False)
    # Which face(s): "the face on the left", "the faces in the background"; a bare "the face"
    # keeps every face, as before (a portrait has one; a group edit usually means them all).
    chosen, why = list(range(len(boxes))), ""
    if q.places or q.ordinal or q.size or q.count or q.background:
        # Faces differ more in size than bodies do (a close face is big): a lower bar for
        # "prominent" keeps the face of the man a few steps back (basketball1: 0.41x).
        chosen, why = choose(boxes, rgb.shape, q, main_first=True, noun="faces",
                             prominent=0.3)
        if not chosen:
            return Grounding(None, f"{why}; {PAINT}.", "faces", False)
    mask = np.zeros(rgb.shape[:2], np.float32)
    for i in chosen:
        mask = np.maximum(mask, masks[i])
    instances = [{"label": "face", "box": [round(float(v), 1) for v in b],
                  "selected": i in chosen} for i, b in enumerate(boxes)]
    if meshes and any(meshes[i] is not None for i in chosen):
        how += " + face mesh outline"
    return Grounding(refine.feather(mask, 2), f"faces from the {how}: {len(chosen)} of "
                     f"{len(boxes)} face(s)" + (f"; {why}" if why else ""), "faces", True,
                     instances)


def _trim_to_person(m: np.ndarray, people: list, box) -> np.ndarray:
    """Trim a face ellipse to the outline of the person it belongs to (no wall behind the
    cheek), when that outline covers the face; a weak person mask would erase the face."""
    for p in people:
        x1, y1, x2, y2 = p.box
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if x1 <= cx <= x2 and y1 <= cy <= y2:
            pm = p.mask
            if pm is not None and float(pm[m > 0.5].mean()) > 0.6:
                return m * (refine.grow(pm, 2) > 0.5)
    return m


def _detected_faces(rgb: np.ndarray, people: list, crowd: bool = False
                    ) -> tuple[list, list, list, list]:
    from lbie_desktop.grounding.sources import faceparts
    from lbie_desktop.grounding.sources.faces import face_region, find_faces, head_square

    heads = [head_square(p.box, p.keypoints, rgb.shape[:2]) for p in people]
    # The full-range detector too (faces 2-5 m away), on tiles when several faces are asked
    # for ("the faces in the crowd"): ~1 s more on a 1536x1024 photo.
    heads = [hd for hd in heads if hd is not None]
    faces = find_faces(rgb, heads, full_range=True, crowd=crowd)
    if not faces and not crowd:  # none at all: maybe they are small ones
        faces = find_faces(rgb, heads, full_range=True, crowd=True)
    # Main face first (as people are): big and central.
    h, w = rgb.shape[:2]
    faces.sort(key=lambda f: -((f.box[2] - f.box[0]) * (f.box[3] - f.box[1])
                               * (1.2 - abs((f.box[0] + f.box[2]) / 2 / w - 0.5))))
    # A full-range detection counts only when the mesh sees a face in it: on tiles of a
    # crowd it also boxes the odd patch of suit or dark crowd.
    meshed = [(f, faceparts.mesh(rgb, f)) for f in faces]
    meshed = [(f, me) for f, me in meshed if me is not None or not f.full_range]
    faces = [f for f, _ in meshed]
    boxes = [f.box for f in faces]
    masks, meshes = [], []
    for f, me in meshed:
        # The mesh's outline follows the jaw and stops at the hairline, where the box's
        # ellipse takes in hair and background; the ellipse stays when the mesh sees no face.
        m = faceparts.part_mask(me, "face", (h, w)) if me is not None else face_region(f, (h, w))
        masks.append(_trim_to_person(m, people, f.box))
        meshes.append(me)
    return boxes, masks, faces, meshes


def _one_person(words: list[str]) -> bool:
    """A part of one person's face: "her eyes", "the woman's teeth" (not "the eyes")."""
    from lbie_desktop.grounding.vocab import PEOPLE_WORDS, singular

    return any(w in ("her", "his", "my", "your", "him", "she", "he") or
               (w in PEOPLE_WORDS and singular(w) == w and w not in ("people", "everyone"))
               for w in words)


def _face_parts(rgb: np.ndarray, q: Query, faces: list, boxes: list, meshes: list
               ) -> Grounding:
    """Eyes, lips, teeth... of the face(s) the phrase means, from the face mesh."""
    from lbie_desktop.grounding.sources import faceparts

    name = _PART_NAMES[q.part]
    if not faces:
        return Grounding(None, f"I found no face here, so no {name}; {PAINT}.", "faceparts",
                         False)
    chosen, why = list(range(len(faces))), ""
    if q.places or q.ordinal or q.size or q.count or q.background:
        chosen, why = choose(boxes, rgb.shape, q, main_first=True, noun="faces", prominent=0.3)
        if not chosen:
            return Grounding(None, f"{why}; {PAINT}.", "faceparts", False)
    elif not q.plural and _one_person(q.words):
        chosen = [0]  # "her eyes": the main face (big, central); "the eyes" keeps them all
    mask = np.zeros(rgb.shape[:2], np.float32)
    meshed = 0
    for i in chosen:
        me = meshes[i]
        if me is None:
            continue
        meshed += 1
        mask = np.maximum(mask, faceparts.part_mask(me, q.part, rgb.shape[:2], q.part_side,
                                                        rgb))
    instances = [{"label": "face", "box": [round(float(v), 1) for v in b],
                  "selected": i in chosen} for i, b in enumerate(boxes)]
    if not meshed:
        return Grounding(None, f"The face mesh sees no face in the chosen face box (turned "
                         f"away or hidden?), so no {name}; {PAINT}.", "faceparts", False,
                         instances)
    side = (f"the {q.part_side} one (the viewer's {q.part_side}) of the " if q.part_side
            else "")
    return Grounding(mask, f"{side}{name} from the face mesh (MediaPipe) on {meshed} of "
                     f"{len(faces)} face(s)" + (f"; {why}" if why else ""), "faceparts", True,
                     instances)


def _keypoint_faces(rgb: np.ndarray, people: list) -> tuple[list, list]:
    from lbie_desktop.grounding.sources.people import face_mask

    boxes, masks = [], []
    for p in people:
        m = face_mask(p, rgb.shape[:2])
        if m is None:
            continue
        ys, xs = np.nonzero(m > 0.5)
        if not len(xs):  # the ellipse lies outside the photo
            continue
        box = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
        boxes.append(box)
        masks.append(_trim_to_person(m, [p], box))
    return boxes, masks


def _salient(rgb: np.ndarray) -> tuple[np.ndarray, str]:
    """Subject mask: ISNet when installed, else the people found (or MissingModelError)."""
    from lbie_desktop.grounding.sources.salient import salient_mask

    try:
        return salient_mask(rgb), "salient-object model (ISNet)"
    except MissingModelError:
        from lbie_desktop.grounding.sources.people import find_people

        try:
            people = find_people(rgb, crowd=False)
        except MissingModelError:
            people = []
        if not people:
            raise
        m = np.zeros(rgb.shape[:2], np.float32)
        for p in people:
            p.paste_into(m)
        return refine.guided_filter(rgb, m), ("the people found (install the salient pack, "
                                              "`lbie models fetch salient`, for any subject)")


def _subject(rgb: np.ndarray, q: Query) -> Grounding:
    m, how = _salient(rgb)
    return Grounding(m, f"main subject: {how}", "salient", True)


def _background(rgb: np.ndarray, q: Query) -> Grounding:
    m, how = _salient(rgb)
    return Grounding(1.0 - m, f"background = everything but the main subject ({how})",
                     "background", True)


def _behind(rgb: np.ndarray, q: Query) -> Grounding:
    """color_bg names what to keep ("white background behind the woman", "cut out the man"):
    its region is everything else."""
    if q.kind not in _HANDLERS or q.kind == "background":
        return _background(rgb, q)
    # Keep the named one(s): "behind the man on the left" keeps him only, else all of them.
    keep = _HANDLERS[q.kind](rgb, replace(q, background=False,
                                          plural=not (q.places or q.ordinal or q.size)))
    if not keep.ok or keep.mask is None:
        return keep
    return Grounding(1.0 - keep.mask, f"background = everything but {keep.explanation}",
                     "background", True, keep.instances)


def _object(rgb: np.ndarray, q: Query) -> Grounding:
    from lbie_desktop.grounding.sources.classical import colour_mask
    from lbie_desktop.grounding.sources.objects import detect

    name = q.label if len(q.labels) == 1 else "/".join(q.labels)
    dets = [d for d in detect(rgb) if d.label in q.labels]
    if not dets:
        return Grounding(None, f"{_via(q)}I found no {name} here; {PAINT}.", "objects", False)
    masks = [refine.grabcut_in_box(rgb, d.box) for d in dets]
    idx = list(range(len(dets)))
    why = f"{len(dets)} {name}(s) detected"
    if q.colour:
        cm = colour_mask(rgb, q.colour)
        share = [float((cm * m).sum() / max(1.0, m.sum())) for m in masks]
        idx = sorted((i for i in idx if share[i] > 0.15), key=lambda i: -share[i])
        if not idx:
            return Grounding(None, f"I found {name}s but none is {q.colour}; {PAINT}.",
                             "objects", False)
        why += f"; the {q.colour} one(s)"
    picked, how = choose([dets[i].box for i in idx], rgb.shape, q, noun=f"{name}s")
    if not picked:
        return Grounding(None, f"{how}; {PAINT}.", "objects", False)
    chosen = [idx[i] for i in picked]
    why += f"; {how}" if how else ""
    mask = np.zeros(rgb.shape[:2], np.float32)
    for i in chosen:
        mask = np.maximum(mask, masks[i])
    instances = [{"label": d.label, "score": round(d.score, 3),
                  "box": [round(float(v), 1) for v in d.box], "selected": i in chosen}
                 for i, d in enumerate(dets)]
    return Grounding(refine.guided_filter(rgb, mask),
                     f"{_via(q)}objects (NanoDet + GrabCut): {why}", "objects", True, instances)


def _sky(rgb: np.ndarray, q: Query) -> Grounding:
    from lbie_desktop.grounding.sources.classical import sky_mask

    m = sky_mask(rgb)
    if m.mean() < 0.01:
        return Grounding(None, f"I found no sky here; {PAINT}.", "sky", False)
    return Grounding(refine.guided_filter(rgb, m), "sky: smooth blue/bright region at the top",
                     "sky", True)


def _colour(rgb: np.ndarray, q: Query) -> Grounding:
    from lbie_desktop.grounding.sources.classical import colour_mask, spatial_mask

    m = colour_mask(rgb, q.colour)
    for p in q.places:
        m = m * spatial_mask(rgb.shape[:2], p)
    known = set(COLOURS) | set(SPATIAL) | STOP | {"pixels", "colour", "color", "parts"}
    unknown = [w for w in q.words if w not in known]
    why = f"pixels that are {q.colour}" + (f" on the {'/'.join(q.places)}" if q.places else "")
    if unknown:  # "the green broom": say we matched the colour, not the thing
        why += f" (I can't recognise “{' '.join(unknown)}”, so this is every {q.colour} area)"
    return Grounding(m, why, "colour", True)


def _place(rgb: np.ndarray, q: Query) -> Grounding:
    from lbie_desktop.grounding.sources.classical import spatial_mask

    m = np.ones(rgb.shape[:2], np.float32)
    for p in q.places:
        m = m * spatial_mask(rgb.shape[:2], p)
    return Grounding(m, f"the {' '.join(q.places)} of the frame", "spatial", True)


def _tone(rgb: np.ndarray, q: Query) -> Grounding:
    from lbie_desktop.grounding.sources.classical import tonal_mask

    return Grounding(tonal_mask(rgb, q.tone), f"the {q.tone} (by brightness)", "tonal", True)


def _via(q: Query) -> str:
    """Say when the encoder, not the vocabulary, decided what the phrase names."""
    if q.via != "encoder":
        return ""
    return f"“{q.head}” read as {q.near_name} (sentence encoder, similarity {q.similarity:.2f}): "


def _inst(people, chosen) -> list[dict]:
    return [{"label": "person", "score": round(p.score, 3),
             "box": [round(float(v), 1) for v in p.box], "selected": i in chosen,
             "main_subject": i == 0} for i, p in enumerate(people)]


_HANDLERS = {"people": _people, "faces": _faces, "object": _object, "sky": _sky,
             "background": _background, "subject": _subject, "colour": _colour,
             "place": _place, "tone": _tone}


def instance_masks(image_rgb: np.ndarray, min_score: float = 0.35) -> list[dict]:
    """Every person and COCO object found, each with its own mask: what a click in the GUI can
    add or remove whole (refine.click(..., instances=[d["mask"] for d in these])).
    Packs that are not installed are skipped."""
    from lbie_desktop.grounding.sources.objects import detect
    from lbie_desktop.grounding.sources.people import find_people

    rgb = np.ascontiguousarray(np.asarray(image_rgb)[..., :3])
    out: list[dict] = []
    try:
        for p in find_people(rgb, crowd=False):  # one full-size mask each: not the whole crowd
            out.append({"label": "person", "score": p.score, "box": p.box,
                        "mask": (p.mask > 0.5).astype(np.float32)})
    except MissingModelError:
        pass
    try:
        for d in detect(rgb, min_score):
            if d.label != "person":
                m = refine.grabcut_in_box(rgb, d.box)
                out.append({"label": d.label, "score": d.score, "box": d.box,
                            "mask": (m > 0.5).astype(np.float32)})
    except MissingModelError:
        pass
    return out
