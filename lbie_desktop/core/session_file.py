"""Session files (`.lbie`): a whole editing session in one zip.

Layout (format 1):
    manifest.json          format, session id, source description, turns and undone turns
    source/<name>          the original photo's bytes, unless saved by reference (path+sha256)
    masks/<turn>-<i>.png   each local step's mask (8-bit, viewable)
    masks/<turn>-<i>.npy   the exact float mask when 8 bits would round it (same pixels on reopen)
    thumbnails/*.jpg       original, after each turn, current (for file browsers and dialogs;
                           autosaves hold only the original's)

Reopening gives the same turns and renders the same pixels. A file from a newer app version
is refused with a clear message; older formats pass through `MIGRATIONS`.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import uuid
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from lbie_desktop import __version__
from lbie_desktop.core.atomic import atomic_write
from lbie_desktop.core.imageio import (
    LoadedImage,
    encode_image,
    load_image,
    load_image_bytes,
    to_uint8,
)
from lbie_desktop.core.plan import Plan, mask_from_png, mask_to_png
from lbie_desktop.core.session import Session, Turn
from lbie_desktop.errors import UserError

SESSION_FORMAT = 1
KIND = "lbie-session"
SUFFIX = ".lbie"
THUMB_SIDE = 256
# Migrations from format n to n+1, each taking and returning the manifest dict (and free to
# rewrite member names it refers to). Format 1 is the first, so the table starts empty.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

_MAX_MANIFEST = 64 * 2**20
_MAX_MEMBER = 4 * 2**30


@dataclass
class SessionFileInfo:
    """What a session file holds, read without decoding the photo (for `info` and dialogs)."""

    path: Path
    format: int
    session_id: str
    source_name: str
    source_embedded: bool
    source_path: str | None
    requests: list[str]
    undone: list[str]
    saved: float
    app_version: str = ""
    notes: list[str] = field(default_factory=list)


# --- saving ----------------------------------------------------------------------------------

def save_session(session: Session, path: str | Path, *, embed_source: bool | None = True,
                 thumbnails: bool = True) -> Path:
    """Write `session` to `path` atomically.

    embed_source: True = put the photo's bytes in the file; False = store its path and sha256;
    None = embed only when the bytes are already in memory (cheap, used by autosave).
    thumbnails: also render a small image after every turn and of the current state (the
    original's is always written; autosave skips the renders to stay fast).
    """
    path = Path(path)
    img = session.image
    if img.path is not None and _same_file(path, img.path):
        raise UserError(f"refusing to save the session over the photo {path.name}; "
                        f"use a name ending in {SUFFIX}")
    source, source_bytes, notes = _source_entry(img, embed_source)
    members: list[tuple[str, bytes, int]] = []  # name, data, compression
    if source_bytes is not None:
        members.append((source["embedded"], source_bytes, zipfile.ZIP_STORED))

    turns_json = [_turn_to_json(t, members) for t in session.turns]
    undone_json = [_turn_to_json(t, members) for t in session.undone]
    thumbs = _thumbnails(session, members, every_turn=thumbnails)
    manifest = {
        "format": SESSION_FORMAT, "kind": KIND, "app_version": __version__,
        "saved": time.time(), "session_id": session.id, "source": source,
        "turns": turns_json, "undone": undone_json, "thumbnails": thumbs, "notes": notes,
    }
    with atomic_write(path) as f, zipfile.ZipFile(f, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=1),
                    compress_type=zipfile.ZIP_DEFLATED)
        for name, data, compression in members:
            zf.writestr(name, data, compress_type=compression)
    return path


def _source_entry(img: LoadedImage, embed: bool | None
                  ) -> tuple[dict[str, Any], bytes | None, list[str]]:
    name = img.path.name if img.path is not None else "source.png"
    entry: dict[str, Any] = {"name": name, "format": img.format, "sha256": img.sha256,
                             "path": str(img.path.resolve()) if img.path is not None else None,
                             "embedded": None}
    notes: list[str] = []
    data = img.source_bytes
    if data is None and img.path is not None and embed:
        data = _read_if_unchanged(img)
    if embed is False and img.path is not None and img.sha256:
        return entry, None, notes
    if data is None and embed is None and img.path is not None and img.sha256:
        return entry, None, notes  # big file not in memory: autosave refers to it
    if data is None:
        # No file bytes (an in-memory image, or the file changed on disk since it was opened):
        # embed the decoded pixels losslessly so the session still renders the same.
        fmt = "PNG"
        data = encode_image(img.rgb, fmt, alpha=img.alpha, exif=img.exif,
                            icc_profile=img.icc_profile)
        name = Path(name).stem + ".png"
        entry.update(name=name, format=fmt, sha256=hashlib.sha256(data).hexdigest())
        if img.path is not None:
            notes.append(f"{img.path.name} changed on disk after it was opened; the session "
                         "keeps the pixels as they were when opened")
    entry["embedded"] = f"source/{name}"
    return entry, data, notes


def _read_if_unchanged(img: LoadedImage) -> bytes | None:
    try:
        data = img.path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == img.sha256 else None


def _turn_to_json(turn: Turn, members: list[tuple[str, bytes, int]]) -> dict[str, Any]:
    refs: dict[str, str] = {}
    exact: dict[str, str] = {}
    avoid_refs: dict[str, str] = {}
    for i, step in enumerate(turn.plan.steps):
        if step.avoid is not None:  # binary: 8-bit PNG is exact
            ref = f"masks/{turn.id}-{i}-avoid.png"
            members.append((ref, mask_to_png(step.avoid), zipfile.ZIP_STORED))
            avoid_refs[step.id] = ref
        if step.mask is None:
            continue
        base = f"masks/{turn.id}-{i}"
        png, npy = _encoded_mask(step.mask)
        members.append((base + ".png", png, zipfile.ZIP_STORED))
        refs[step.id] = base + ".png"
        if npy is not None:
            members.append((base + ".npy", npy, zipfile.ZIP_STORED))
            exact[step.id] = base + ".npy"
    plan = turn.plan.to_dict(refs, avoid_refs)
    for d in plan["steps"]:
        if d["id"] in exact:
            d["mask_exact"] = exact[d["id"]]
    return {"id": turn.id, "request": turn.request, "created": turn.created,
            "messages": list(turn.messages), "plan": plan}


# Encoding a full-resolution mask costs ~0.5 s and autosave writes every mask after every
# turn, so encodings are remembered per mask array (weakly, and checked by CRC in case the
# array was edited in place).
_MASK_CACHE: dict[int, tuple[weakref.ref, int, bytes, bytes | None]] = {}


def _encoded_mask(mask: np.ndarray) -> tuple[bytes, bytes | None]:
    """(8-bit PNG, exact float32 .npy or None when the PNG is already exact)."""
    crc = zlib.crc32(np.ascontiguousarray(mask))
    hit = _MASK_CACHE.get(id(mask))
    if hit is not None and hit[0]() is mask and hit[1] == crc:
        return hit[2], hit[3]
    png = mask_to_png(mask)
    quantised = np.round(np.clip(mask, 0, 1) * 255).astype(np.uint8)
    npy = None
    if not np.array_equal(quantised.astype(np.float32) / 255.0, mask):
        # Stored uncompressed: soft masks barely deflate and compressing costs seconds.
        buf = io.BytesIO()
        np.save(buf, mask.astype(np.float32, copy=False), allow_pickle=False)
        npy = buf.getvalue()
    for key in [k for k, v in _MASK_CACHE.items() if v[0]() is None]:
        del _MASK_CACHE[key]
    try:
        _MASK_CACHE[id(mask)] = (weakref.ref(mask), crc, png, npy)
    except TypeError:  # an array type that cannot be weakly referenced: just don't cache
        pass
    return png, npy


def _thumbnails(session: Session, members: list[tuple[str, bytes, int]], *,
                every_turn: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"original": "thumbnails/original.jpg", "turns": []}
    members.append((out["original"], _thumb(session.renderer.proxy), zipfile.ZIP_STORED))
    if every_turn:
        # In increasing order, so each render extends the renderer's cached chain.
        for i in range(1, len(session.turns) + 1):
            name = f"thumbnails/turn-{i}.jpg"
            members.append((name, _thumb(session.render(upto=i)), zipfile.ZIP_STORED))
            out["turns"].append(name)
        out["current"] = "thumbnails/current.jpg"
        members.append((out["current"], _thumb(session.current()), zipfile.ZIP_STORED))
    return out


def _thumb(rgb: np.ndarray) -> bytes:
    im = Image.fromarray(to_uint8(rgb))
    im.thumbnail((THUMB_SIDE, THUMB_SIDE))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


# --- opening ---------------------------------------------------------------------------------

def open_session(path: str | Path, *, source: str | Path | None = None,
                 preview_long_side: int | None = None) -> Session:
    """Reopen a session file; `source` points at the photo when the file refers to a moved one."""
    path = Path(path)
    with _open_zip(path) as zf, _damaged_if_malformed(path):
        manifest = _read_manifest(zf, path)
        image = _load_source(zf, manifest["source"], path, source)
        masks = _MaskReader(zf, path)
        turns = [_turn_from_json(t, masks, path) for t in manifest.get("turns") or []]
        undone = [_turn_from_json(t, masks, path) for t in manifest.get("undone") or []]
        session = Session.restore(image, turns, undone,
                                  id=str(manifest.get("session_id") or "") or None,
                                  preview_long_side=preview_long_side)
        image.notes.extend(str(n) for n in manifest.get("notes") or [])
    return session


def read_info(path: str | Path) -> SessionFileInfo:
    path = Path(path)
    with _open_zip(path) as zf, _damaged_if_malformed(path):
        m = _read_manifest(zf, path)
        src = m["source"]
        return SessionFileInfo(
            path=path, format=int(m["format"]), session_id=str(m.get("session_id") or ""),
            source_name=str(src.get("name") or ""), source_embedded=bool(src.get("embedded")),
            source_path=src.get("path"),
            requests=[str(t.get("request", "")) for t in m.get("turns") or []],
            undone=[str(t.get("request", "")) for t in m.get("undone") or []],
            saved=float(m.get("saved") or 0.0), app_version=str(m.get("app_version") or ""),
            notes=[str(n) for n in m.get("notes") or []])


@contextmanager
def _damaged_if_malformed(path: Path) -> Iterator[None]:
    # A hand-edited or corrupted manifest can hold any JSON type anywhere; whatever breaks
    # while reading it means the same thing to the person.
    try:
        yield
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise UserError(f"{path.name} is damaged: its manifest is malformed "
                        f"({type(exc).__name__})") from None


def read_thumbnail(path: str | Path, which: str = "current") -> bytes | None:
    """JPEG bytes of a thumbnail ("original", "turn-N", "current"); an autosave has only the
    original's, which stands in for the others."""
    with _open_zip(Path(path)) as zf:
        for name in (which, "original"):
            try:
                return zf.read(f"thumbnails/{name}.jpg")
            except KeyError:
                continue
    return None


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.exists():
        raise UserError(f"no such session file: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a session file")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise UserError(f"{path.name} is not an LBIE session file (or it is damaged)") from None
    except OSError as exc:
        raise UserError(f"could not read {path}: {exc.strerror or exc}") from None


def _read_member(zf: zipfile.ZipFile, name: str, path: Path, limit: int = _MAX_MEMBER) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise UserError(f"{path.name} is incomplete: {name} is missing") from None
    if info.file_size > limit:
        raise UserError(f"{path.name} is damaged: {name} claims {info.file_size} bytes")
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise UserError(f"{path.name} is damaged: {name} could not be read ({exc})") from None


def _read_manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    raw = _read_member(zf, "manifest.json", path, _MAX_MANIFEST)
    try:
        m = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{path.name} is damaged: its manifest is not valid JSON") from None
    if not isinstance(m, dict) or m.get("kind") != KIND:
        raise UserError(f"{path.name} is not an LBIE session file")
    m = migrate(m, path.name)
    if not isinstance(m.get("source"), dict) or not isinstance(m.get("turns", []), list):
        raise UserError(f"{path.name} is damaged: its manifest lacks the photo or the turns")
    return m


def migrate(manifest: dict[str, Any], name: str = "session") -> dict[str, Any]:
    """Bring a manifest up to SESSION_FORMAT through MIGRATIONS (refuse newer formats)."""
    version = manifest.get("format")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UserError(f"{name} has no valid format number; it is damaged")
    if version > SESSION_FORMAT:
        raise UserError(f"{name} was saved by a newer LBIE Desktop (session format {version}; "
                        f"this version reads up to {SESSION_FORMAT}); update the app to open it")
    while version < SESSION_FORMAT:
        step = MIGRATIONS.get(version)
        if step is None:
            raise UserError(f"{name} uses session format {version}, which this version "
                            "can no longer convert")
        manifest = step(dict(manifest))
        version += 1
        manifest["format"] = version
    return manifest


def _load_source(zf: zipfile.ZipFile, src: dict[str, Any], path: Path,
                 override: str | Path | None) -> LoadedImage:
    name = str(src.get("name") or "source")
    want = str(src.get("sha256") or "")
    if src.get("embedded") and override is None:
        data = _read_member(zf, str(src["embedded"]), path)
        image = load_image_bytes(data, name)
        if want and image.sha256 != want:
            raise UserError(f"{path.name} is damaged: the embedded photo does not match its "
                            "checksum")
        image.path = Path(src["path"]) if src.get("path") else None
        image.format = str(src.get("format") or image.format)
        return image
    candidates = [Path(override)] if override is not None else \
        [p for p in (Path(src["path"]) if src.get("path") else None, path.parent / name) if p]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        image = load_image(candidate)
        if want and image.sha256 != want:
            raise UserError(f"the photo {candidate} has changed since the session was saved "
                            "(its checksum differs), so the edits may not fit it; open the "
                            "original photo or a session that embeds it")
        return image
    where = " or ".join(str(c) for c in candidates) or name
    raise UserError(f"the session's photo was not found at {where}; put it back or pass "
                    "its new location")


class _MaskReader:
    def __init__(self, zf: zipfile.ZipFile, path: Path):
        self.zf, self.path = zf, path

    def read(self, png_ref: str | None, exact_ref: str | None) -> np.ndarray | None:
        if exact_ref:
            data = _read_member(self.zf, exact_ref, self.path)
            try:
                m = np.load(io.BytesIO(data), allow_pickle=False)
            except (ValueError, OSError, EOFError):
                raise UserError(f"{self.path.name} is damaged: mask {exact_ref} is unreadable"
                                ) from None
            if m.ndim != 2:
                raise UserError(f"{self.path.name} is damaged: mask {exact_ref} is not 2-D")
            return m.astype(np.float32, copy=False)
        if png_ref:
            return mask_from_png(_read_member(self.zf, png_ref, self.path))
        return None


def _turn_from_json(d: Any, masks: _MaskReader, path: Path) -> Turn:
    if not isinstance(d, dict) or not isinstance(d.get("plan"), dict):
        raise UserError(f"{path.name} is damaged: a turn has no plan")
    plan_d = d["plan"]
    arrays: dict[str, np.ndarray] = {}
    for s in plan_d.get("steps") or []:
        if isinstance(s, dict) and s.get("mask"):
            arrays[s["mask"]] = masks.read(s["mask"], s.get("mask_exact"))
        if isinstance(s, dict) and s.get("avoid"):
            arrays[s["avoid"]] = masks.read(s["avoid"], None)
    try:
        plan = Plan.from_dict(plan_d, arrays)
    except UserError as exc:  # e.g. an operation this version does not know
        raise UserError(f"{path.name}: {exc}") from None
    return Turn(str(d.get("request", "")), plan, id=str(d.get("id") or uuid.uuid4().hex[:12]),
                created=float(d.get("created") or time.time()),
                messages=[str(m) for m in d.get("messages") or []])
