"""Apply a recipe to many photos: one result per photo, errors reported per file, never
aborting the batch. The CLI prints progress; the GUI can pass its own `progress` callback."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lbie_desktop.core.imageio import SAVE_FORMATS, load_image, save_image, to_uint8
from lbie_desktop.core.recipe import GroundFn, Recipe, apply_recipe
from lbie_desktop.core.render import Renderer
from lbie_desktop.errors import UserError

# Inputs whose format we do not write (GIF, BMP's cousins...) are saved as PNG.
_FALLBACK_EXT = ".png"
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif"}


@dataclass
class BatchItem:
    index: int  # 1-based
    total: int
    source: Path
    output: Path | None = None
    error: str = ""
    applied: int = 0  # steps applied
    notes: list[str] = field(default_factory=list)  # skipped steps, file notes

    @property
    def ok(self) -> bool:
        return not self.error


def expand_inputs(items: Iterable[str | Path]) -> list[Path]:
    """Photos named directly, plus the images inside any folder named (not recursive)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(c for c in p.iterdir() if c.suffix.lower() in IMAGE_EXTS
                          and c.is_file() and not c.name.startswith("."))
        else:
            out.append(p)  # missing files are reported per file, not here
    return out


def output_path(source: Path, out_dir: Path, fmt: str | None, used: set[str]) -> Path:
    ext = f".{fmt.lower().lstrip('.')}" if fmt else source.suffix.lower()
    if ext not in SAVE_FORMATS:
        ext = _FALLBACK_EXT
    stem, n = source.stem, 1
    name = stem + ext
    while name.lower() in used:  # two inputs called IMG_0001 from different folders
        n += 1
        name = f"{stem}-{n}{ext}"
    used.add(name.lower())
    return out_dir / name


def run_batch(recipe: Recipe, photos: list[Path], out_dir: Path, *, quality: int = 92,
              fmt: str | None = None, ground: GroundFn | None = None,
              progress: Callable[[BatchItem], None] | None = None) -> list[BatchItem]:
    if fmt is not None and f".{fmt.lower().lstrip('.')}" not in SAVE_FORMATS:
        raise UserError(f"unknown output format {fmt!r}; use jpg, png, tif or webp")
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir} is a file; -o needs a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder {out_dir}: "
                        f"{exc.strerror or exc}") from None
    used: set[str] = set()
    items: list[BatchItem] = []
    for i, src in enumerate(photos, 1):
        item = BatchItem(i, len(photos), src)
        try:
            _one(recipe, item, out_dir, quality, fmt, ground, used)
        except UserError as exc:
            item.error = str(exc)
        except MemoryError:
            item.error = f"{src.name} needs more memory than is available"
        except Exception as exc:  # noqa: BLE001 - one bad photo must not end the batch
            item.error = f"internal error on {src.name} ({type(exc).__name__}: {exc})"
        items.append(item)
        if progress is not None:
            progress(item)
    return items


def _one(recipe: Recipe, item: BatchItem, out_dir: Path, quality: int, fmt: str | None,
         ground: GroundFn | None, used: set[str]) -> None:
    img = load_image(item.source)
    item.notes += img.notes
    rgb8 = to_uint8(img.rgb)
    plan, messages = apply_recipe(recipe, rgb8, ground=ground)
    item.notes += messages
    item.applied = len(plan.steps)
    result = Renderer(rgb8).render(plan.steps, full=True)
    alpha = img.alpha if img.alpha is not None and img.alpha.shape == result.shape[:2] else None
    out = output_path(item.source, out_dir, fmt, used)
    item.output = save_image(out, result, alpha=alpha, quality=quality, exif=img.exif,
                             icc_profile=img.icc_profile, original=item.source)
