"""Table 2 of the paper for the shipped weights, on a freshly generated seeded test set."""

from __future__ import annotations

from pathlib import Path

from lbie_desktop.paths import MODEL_CARDS
from lbie_desktop.research.cosal.generator import DEFAULT_SIZE, generate
from lbie_desktop.research.cosal.train import load, score

TEST_SEED = 1
COLUMNS = (4, 6, 8)
# Paper Table 2, T = 4 with attention (plus its two ablation rows, for the printed grid).
PAPER_TABLE2 = {
    "T=1, no attention": {4: 0.2107, 6: 0.2499, 8: 0.3186},
    "T=1, attention": {4: 0.4030, 6: 0.5220, 8: 0.7097},
    "T=4, attention": {4: 0.5033, 6: 0.5313, 8: 0.7017},
}


# Our rows of the grid: JSON key -> printed label. The paper trains one model per column, so
# the paper-architecture files are per column; the improved model is one file for all three.
KINDS: dict[str, str] = {
    "paper_t1_no_attention": "ours: paper arch, T=1, no attention",
    "paper_t1_attention": "ours: paper arch, T=1, attention",
    "paper": "ours: paper arch, T=4, attention",
    "improved": "ours: improved",
}
_FILE_STEM = {
    "paper": "cosal_paper",
    "paper_t1_attention": "cosal_paper_t1_attention",
    "paper_t1_no_attention": "cosal_paper_t1_concat",
}


def weight_path(kind: str, direct: int, models_dir: Path = MODEL_CARDS) -> Path:
    """The weights file of one grid cell (kind: a key of KINDS)."""
    if kind == "improved":
        return models_dir / "cosal_improved.safetensors"
    return models_dir / f"{_FILE_STEM[kind]}_d{direct}.safetensors"


def evaluate(
    test_size: int = 10_000,
    seed: int = TEST_SEED,
    models_dir: Path = MODEL_CARDS,
    log=None,
    columns: tuple[int, ...] = COLUMNS,
) -> dict[str, dict[str, float | None]]:
    grid: dict[str, dict[str, float | None]] = {}
    loaded = {}
    for d in columns:
        data = generate(test_size, d, seed, DEFAULT_SIZE)
        row: dict[str, float | None] = {}
        for kind in KINDS:
            path = weight_path(kind, d, models_dir)
            if not path.exists():
                row[kind] = None
                continue
            if path not in loaded:
                loaded[path] = load(path)[0]
            row[kind] = round(score(loaded[path], data).mean(), 4)
            if log:
                log(f"direct {d} {kind}: {row[kind]}")
        grid[str(d)] = row
    return grid


def format_grid(grid: dict[str, dict[str, float | None]], test_size: int) -> str:
    def cell(v: float | None) -> str:
        return "   --  " if v is None else f"{v:.4f} "

    lines = [
        f"CoSaL mean IoU (9 shapes + background), {test_size} test images, seed {TEST_SEED}",
        f"{'model':36s}" + "".join(f"direct={d:<3d}" for d in COLUMNS),
    ]
    for name, row in PAPER_TABLE2.items():
        lines.append(
            f"{'paper reported: ' + name:36s}" + "".join(f"{row[d]:.4f}     " for d in COLUMNS)
        )
    for kind, label in KINDS.items():
        lines.append(
            f"{label:36s}" + "".join(cell(grid.get(str(d), {}).get(kind)) + "    " for d in COLUMNS)
        )
    return "\n".join(lines)
