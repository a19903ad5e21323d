"""`lbie parse` (single and --jsonl), `lbie train understanding`, `lbie eval understanding`
on a tiny GIER-shaped file written here (tests never read ../shared)."""

from __future__ import annotations

import io
import json

import pytest

from lbie_desktop.cli import main


def test_parse_prints_steps_and_reasons(capsys) -> None:
    assert main(["parse", "brighten the face a bit"]) == 0
    out = capsys.readouterr().out
    assert "brightness" in out and "the face" in out and "because" in out


def test_parse_nothing_to_do(capsys) -> None:
    assert main(["parse", "qwzx vbnmrt"]) == 0
    assert "Nothing to do" in capsys.readouterr().out


def test_parse_jsonl_one_object_per_line(capsys, monkeypatch) -> None:
    lines = ["remove the dog", "", "make it much brighter", "🙂"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["parse", "--jsonl"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["request"] for r in rows] == lines
    assert rows[1]["steps"] == [] and rows[3]["steps"] == []
    s = rows[0]["steps"][0]
    assert set(s) == {"op", "confidence", "local", "target", "params", "evidence"}
    assert s["op"] == "inpaint_obj" and s["local"] and s["target"] == "the dog"


def test_parse_with_image(tmp_path, astronaut, capsys) -> None:
    from PIL import Image

    p = tmp_path / "dark.png"
    Image.fromarray((astronaut * 0.3).astype("uint8")).save(p)
    assert main(["parse", "it's too dark", "--image", str(p), "--json"]) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert any(any(e.startswith("image:") for e in s["evidence"]) for s in steps)


def test_parse_bad_image_is_a_user_error(tmp_path, capsys) -> None:
    assert main(["parse", "brighten", "--image", str(tmp_path / "missing.jpg")]) == 2
    assert "error" in capsys.readouterr().err


def _fake_gier(folder, n: int) -> None:
    recs = []
    for i in range(n):
        ops = ({"brightness": {"local": False, "ids": []}} if i % 2 else
               {"inpaint_obj": {"local": True, "ids": [1]}})
        text = "make it brighter" if i % 2 else "remove the man on the left"
        recs.append({"input": f"{i}.jpg", "request": text, "detailed_request": float("nan"),
                     "expert_summary": [text + " please"], "amateur_summary": [text, None],
                     "operator": ops})
    for split in ("train", "val"):
        (folder / f"{split}.json").write_text(json.dumps(recs))


@pytest.mark.slow
def test_train_and_eval_commands_on_a_tiny_set(tmp_path, capsys) -> None:
    _fake_gier(tmp_path, 40)
    out = tmp_path / "w.safetensors"
    assert main(["train", "understanding", "--data", str(tmp_path), "--out", str(out),
                 "--epochs", "1", "--threads", "1"]) == 0
    assert out.stat().st_size > 1_000_000  # the top layers, not a stub
    from lbie_desktop.understanding.classifier import Classifier

    clf = Classifier(out)
    p, _ = clf.predict(["remove the man on the left"])
    assert p.shape == (1, len(clf.ops))
    assert main(["eval", "understanding", "--data", str(tmp_path), "--split", "val"]) == 0
    report = capsys.readouterr().out
    assert "micro-F1" in report and "local/global accuracy" in report and "inpaint_obj" in report


def test_eval_without_data_is_a_clear_error(tmp_path, capsys) -> None:
    assert main(["eval", "understanding", "--data", str(tmp_path / "none")]) == 2
    assert "no GIER split" in capsys.readouterr().err


def test_parse_jsonl_reads_every_request_against_the_image(tmp_path, astronaut, capsys,
                                                            monkeypatch) -> None:
    from PIL import Image

    p = tmp_path / "dark.png"
    Image.fromarray((astronaut * 0.3).astype("uint8")).save(p)
    monkeypatch.setattr("sys.stdin", io.StringIO("it's too dark\nmake it better\n"))
    assert main(["parse", "--jsonl", "--image", str(p)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    for row in rows:
        bright = [s for s in row["steps"] if s["op"] == "brightness"]
        assert bright and any(e.startswith("image:") for e in bright[0]["evidence"]), row
