"""Our own labelled requests for ops GIER barely has (tests/data/understanding/)."""

from __future__ import annotations

import json
from pathlib import Path

from lbie_desktop.understanding import understand

DATA = Path(__file__).parent / "data" / "understanding" / "beyond_gier.jsonl"


def _load() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]


def test_beyond_gier_ops_are_found() -> None:
    rows = _load()
    missed = [(r["request"], r["ops"], sorted(s.op for s in understand(r["request"])))
              for r in rows
              if not set(r["ops"]) <= {s.op for s in understand(r["request"])}]
    # a few phrasings may slip, but the set as a whole must be found
    assert len(missed) <= len(rows) // 10, missed


def test_each_step_says_why() -> None:
    for r in _load():
        for s in understand(r["request"]):
            assert s.evidence, (r["request"], s.op)
