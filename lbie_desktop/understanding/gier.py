"""Reading GIER annotations (kept outside the repo; passed with --data) into labelled requests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lbie_desktop.errors import UserError
from lbie_desktop.paths import REPO_ROOT
from lbie_desktop.understanding.labels import GIER_DROPPED, GIER_TO_OP

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "gier"

# The paper's request set per pair: the original request + every summary. `detailed_request`
# mostly repeats `request`, so it is used for training only.
EVAL_FIELDS = ("request", "expert_summary", "amateur_summary")
TRAIN_FIELDS = ("request", "detailed_request", "expert_summary", "amateur_summary")


@dataclass(frozen=True)
class Example:
    text: str
    ops: dict[str, bool]  # registry op -> local?
    pair: int  # index of the image pair (requests of one pair share labels)


def resolve_data_dir(data: str | Path | None) -> Path:
    path = Path(data) if data else DEFAULT_DATA
    if not path.is_absolute() and not path.exists():
        path = REPO_ROOT / path
    return path


def load_records(data: str | Path | None, split: str) -> list[dict]:
    """The split's raw records (one per image pair)."""
    path = resolve_data_dir(data) / f"{split}.json"
    if not path.is_file():
        raise UserError(f"no GIER split at {path}; pass --data pointing at the folder holding "
                        f"{split}.json")
    try:
        return json.loads(path.read_text())  # the files carry NaN: json accepts it
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not GIER JSON: {exc}") from None


def record_ops(rec: dict) -> dict[str, bool]:
    """A pair's operations as registry ops -> local?"""
    return {GIER_TO_OP.get(k, k): bool(v.get("local")) for k, v in rec["operator"].items()
            if k not in GIER_DROPPED}


def load_split(data: str | Path | None, split: str, fields: tuple[str, ...] = EVAL_FIELDS
               ) -> list[Example]:
    out: list[Example] = []
    for i, rec in enumerate(load_records(data, split)):
        ops = record_ops(rec)
        for f in fields:
            v = rec.get(f)
            values = [v] if isinstance(v, str) else (v if isinstance(v, list) else [])
            out += [Example(t, ops, i) for t in values if isinstance(t, str) and t.strip()]
    return out
