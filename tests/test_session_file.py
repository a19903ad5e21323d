"""Session files: reopening shows the same history and renders the same pixels."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lbie_desktop.core import session_file
from lbie_desktop.core.imageio import LoadedImage, load_image
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.session import Session
from lbie_desktop.core.session_file import open_session, read_info, save_session
from lbie_desktop.errors import UserError


def soft_blob(h: int, w: int) -> np.ndarray:
    """A soft mask whose values are not multiples of 1/255 (as a grounding model gives)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.exp(-(((yy - h * 0.4) / (h * 0.25)) ** 2 + ((xx - w * 0.6) / (w * 0.2)) ** 2))


def three_turn_session(photo_path: Path) -> Session:
    s = Session(load_image(photo_path))
    h, w = s.image.rgb.shape[:2]
    s.add_turn("brighten it", Plan([Step("brightness", {"amount": 0.2})]), ["ok"])
    s.add_turn("make the cat's face more colourful",
               Plan([Step("saturation", {"amount": 0.8}, mask=soft_blob(h, w), target="face",
                          mask_note="salient")]))
    hard = np.zeros((h, w), np.float32)
    hard[: h // 3] = 1.0
    s.add_turn("warmer sky", Plan([Step("temperature", {"temperature": 0.5}, mask=hard,
                                        target="the sky")]))
    s.add_turn("contrast", Plan([Step("contrast", {"amount": 0.4})]))
    s.undo()  # an undone turn is part of the history too
    return s


@pytest.fixture
def photo(tmp_path, chelsea) -> Path:
    p = tmp_path / "chelsea.jpg"
    Image.fromarray(chelsea).save(p, quality=90)
    return p


@pytest.mark.parametrize("embed", [True, False])
def test_reopen_same_turns_and_exact_pixels(tmp_path, photo, embed):
    s = three_turn_session(photo)
    before_full = s.current(full=True)
    before_each = [s.render(upto=i, full=True) for i in range(4)]
    out = save_session(s, tmp_path / "edit.lbie", embed_source=embed)

    r = open_session(out)
    assert r.id == s.id
    assert [t.request for t in r.turns] == [t.request for t in s.turns]
    assert [t.id for t in r.turns] == [t.id for t in s.turns]
    assert r.turns[0].messages == ["ok"]
    assert [[st.id for st in t.plan] for t in r.turns] == [[st.id for st in t.plan]
                                                          for t in s.turns]
    assert r.turns[1].plan.steps[0].target == "face"
    assert np.array_equal(r.turns[1].plan.steps[0].mask, s.turns[1].plan.steps[0].mask)
    assert np.array_equal(r.current(full=True), before_full)
    for i in range(4):
        assert np.array_equal(r.render(upto=i, full=True), before_each[i])
    assert r.can_redo and r.redo().request == "contrast"
    assert not np.array_equal(r.current(full=True), before_full)  # redo changed the picture


def test_file_layout_masks_as_png_and_thumbnails(tmp_path, photo):
    s = three_turn_session(photo)
    out = save_session(s, tmp_path / "edit.lbie")
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        m = json.loads(zf.read("manifest.json"))
        assert m["format"] == 1 and m["source"]["embedded"] == "source/chelsea.jpg"
        assert zf.read("source/chelsea.jpg") == photo.read_bytes()  # the original's bytes
        pngs = [n for n in names if n.startswith("masks/") and n.endswith(".png")]
        assert len(pngs) == 2
        # the hard mask is exact in 8 bits, the soft one also gets its exact float copy
        assert len([n for n in names if n.endswith(".npy")]) == 1
        with Image.open(zf.open(pngs[0])) as mask_img:
            assert mask_img.mode == "L"
        for t in ("original", "turn-1", "turn-3", "current"):
            with Image.open(zf.open(f"thumbnails/{t}.jpg")) as th:
                assert max(th.size) <= 256
    info = read_info(out)
    assert info.requests == ["brighten it", "make the cat's face more colourful", "warmer sky"]
    assert info.undone == ["contrast"] and info.source_embedded


def test_reference_mode_finds_moved_photo_next_to_session_and_checks_hash(tmp_path, photo):
    s = three_turn_session(photo)
    expected = s.current(full=True)
    out = save_session(s, tmp_path / "edit.lbie", embed_source=False)
    with zipfile.ZipFile(out) as zf:
        assert not [n for n in zf.namelist() if n.startswith("source/")]
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (moved / "edit.lbie").write_bytes(out.read_bytes())
    (moved / photo.name).write_bytes(photo.read_bytes())
    photo.unlink()
    assert np.array_equal(open_session(moved / "edit.lbie").current(full=True), expected)
    (moved / photo.name).unlink()
    with pytest.raises(UserError, match="not found"):
        open_session(moved / "edit.lbie")
    Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(moved / photo.name)
    with pytest.raises(UserError, match="changed since the session was saved"):
        open_session(moved / "edit.lbie")


def test_photo_changed_on_disk_after_opening_still_saves_exact_pixels(tmp_path, chelsea):
    big = tmp_path / "p.png"
    Image.fromarray(chelsea).save(big)
    img = load_image(big)
    img.source_bytes = None  # as for a file too big to keep in memory
    s = Session(img)
    s.add_turn("brighten", Plan([Step("brightness", {"amount": 0.3})]))
    Image.fromarray(chelsea // 2).save(big)  # someone overwrote the photo meanwhile
    out = save_session(s, tmp_path / "s.lbie")
    r = open_session(out)
    assert np.array_equal(r.image.rgb, chelsea)
    assert np.array_equal(r.current(full=True), s.current(full=True))
    assert any("changed on disk" in n for n in read_info(out).notes)


def test_in_memory_16bit_image_with_alpha_round_trips(tmp_path, coffee):
    rgb = coffee[:100, :120].astype(np.uint16) * 257 + 3
    alpha = np.full((100, 120), 40000, np.uint16)
    s = Session(LoadedImage(rgb, alpha))
    s.add_turn("darker", Plan([Step("brightness", {"amount": -0.2})]))
    r = open_session(save_session(s, tmp_path / "mem.lbie"))
    assert np.array_equal(r.image.rgb, rgb) and np.array_equal(r.image.alpha, alpha)
    assert np.array_equal(r.current(full=True), s.current(full=True))


def test_newer_format_is_refused_clearly(tmp_path, photo):
    out = save_session(three_turn_session(photo), tmp_path / "s.lbie")
    newer = tmp_path / "newer.lbie"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(newer, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                m = json.loads(data)
                m["format"] = 7
                data = json.dumps(m).encode()
            dst.writestr(item, data)
    with pytest.raises(UserError, match="newer LBIE Desktop.*format 7.*update the app"):
        open_session(newer)


def test_migration_hook_upgrades_old_files(tmp_path, photo, monkeypatch):
    s = three_turn_session(photo)
    out = save_session(s, tmp_path / "v1.lbie")
    seen = []

    def v1_to_v2(m):  # e.g. a later format renames "turns" to "history"
        seen.append(m["format"])
        m["history"] = m["turns"]
        return m

    monkeypatch.setattr(session_file, "SESSION_FORMAT", 2)
    monkeypatch.setitem(session_file.MIGRATIONS, 1, v1_to_v2)
    r = open_session(out)
    assert seen == [1] and len(r.turns) == 3
    monkeypatch.delitem(session_file.MIGRATIONS, 1)
    with pytest.raises(UserError, match="can no longer convert"):
        open_session(out)


@pytest.mark.parametrize("damage", ["text", "truncated", "no manifest", "bad json", "not ours",
                                    "missing mask", "empty"])
def test_damaged_session_files_give_clear_errors(tmp_path, photo, damage):
    good = save_session(three_turn_session(photo), tmp_path / "good.lbie").read_bytes()
    bad = tmp_path / "bad.lbie"
    if damage == "text":
        bad.write_text("hello")
    elif damage == "truncated":
        bad.write_bytes(good[: len(good) // 2])
    elif damage == "empty":
        bad.write_bytes(b"")
    else:
        with zipfile.ZipFile(tmp_path / "good.lbie") as src, zipfile.ZipFile(bad, "w") as dst:
            for item in src.infolist():
                data = src.read(item)
                if item.filename == "manifest.json":
                    if damage == "no manifest":
                        continue
                    data = b"{nope" if damage == "bad json" else \
                        json.dumps({**json.loads(data), "kind": "other"}).encode() \
                        if damage == "not ours" else data
                if damage == "missing mask" and item.filename.startswith("masks/"):
                    continue
                dst.writestr(item, data)
    with pytest.raises(UserError) as err:
        open_session(bad)
    assert "bad.lbie" in str(err.value)


def test_save_is_atomic_and_refuses_to_replace_the_photo(tmp_path, photo, monkeypatch):
    s = three_turn_session(photo)
    out = save_session(s, tmp_path / "s.lbie")
    before = out.read_bytes()
    with pytest.raises(UserError, match="over the photo"):
        save_session(s, photo)

    def explode(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(session_file.zipfile.ZipFile, "writestr", explode)
    with pytest.raises(UserError, match="disk space"):
        save_session(s, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chelsea.jpg", "s.lbie"]


def test_mask_edited_in_place_is_saved_fresh(tmp_path, chelsea):
    s = Session(LoadedImage(chelsea))
    mask = soft_blob(*chelsea.shape[:2])
    s.add_turn("x", Plan([Step("saturation", {"amount": 1.0}, mask=mask, target="cat")]))
    live = s.turns[0].plan.steps[0].mask
    save_session(s, tmp_path / "a.lbie")
    live[:50] = 0.5  # a brush tool painting into the array
    r = open_session(save_session(s, tmp_path / "b.lbie"))
    assert np.array_equal(r.turns[0].plan.steps[0].mask, live)


def test_thumbnails_readable_and_autosave_style_falls_back_to_original(tmp_path, chelsea):
    s = Session(LoadedImage(chelsea))
    s.add_turn("darker", Plan([Step("brightness", {"amount": -0.5})]))
    full = save_session(s, tmp_path / "full.lbie")
    light = save_session(s, tmp_path / "light.lbie", thumbnails=False)
    with Image.open(io.BytesIO(session_file.read_thumbnail(full))) as cur, \
            Image.open(io.BytesIO(session_file.read_thumbnail(full, "original"))) as orig:
        assert np.asarray(cur).mean() < np.asarray(orig).mean() - 20  # shows the edit
    assert session_file.read_thumbnail(light) == session_file.read_thumbnail(light, "original")


def _can_unshare() -> bool:
    import shutil
    import subprocess
    import sys

    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare (Linux user namespaces)")
def test_real_full_disk_keeps_the_previous_session_file(tmp_path, photo):
    import os
    import subprocess
    import sys
    import textwrap

    repo = Path(__file__).resolve().parent.parent
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = tmp_path / "save.py"
    script.write_text(textwrap.dedent(f"""
        import sys, numpy as np
        from lbie_desktop.core.imageio import load_image
        from lbie_desktop.core.plan import Plan, Step
        from lbie_desktop.core.session import Session
        from lbie_desktop.core.session_file import save_session, read_info
        from lbie_desktop.errors import UserError
        s = Session(load_image({str(photo)!r}))
        s.add_turn("first", Plan([Step("brightness", {{"amount": 0.2}})]))
        save_session(s, sys.argv[1])  # fits
        h, w = s.image.rgb.shape[:2]
        noise = np.random.default_rng(0).random((h * 4, w * 4), dtype=np.float32)
        s.add_turn("second", Plan([Step("saturation", {{"amount": 0.5}}, mask=noise)]))
        try:
            save_session(s, sys.argv[1])  # an 8.7 MB exact mask does not fit
            print("SAVED")
        except UserError as exc:
            print("USERERROR", exc)
        print("STILL", read_info(sys.argv[1]).requests)
    """))
    shell = (f"mount -t tmpfs -o size=1m tmpfs '{mnt}' && '{sys.executable}' '{script}' "
             f"'{mnt}/s.lbie'; ls -a '{mnt}'")
    r = subprocess.run(["unshare", "-rm", "sh", "-c", shell], capture_output=True, text=True,
                       cwd=repo, timeout=300, env={**os.environ, "PYTHONPATH": str(repo)})
    assert "USERERROR not enough disk space" in r.stdout, r.stdout + r.stderr[-2000:]
    assert "STILL ['first']" in r.stdout  # the previous save is intact and readable
    assert ".tmp" not in r.stdout


def test_lbie_edit_session_out_reopens_with_the_same_result(tmp_path, photo, capsys,
                                                           monkeypatch):
    import lbie_desktop.understanding
    from lbie_desktop.cli import main

    def understand(request, image=None):  # the language model is not this test's subject
        return [Step("brightness", {"amount": 0.3})] if "brighten" in request else []

    monkeypatch.setattr(lbie_desktop.understanding, "understand", understand)
    out, lbie = tmp_path / "out.png", tmp_path / "edit.lbie"
    assert main(["edit", str(photo), "brighten it", "-o", str(out),
                 "--session-out", str(lbie)]) == 0
    capsys.readouterr()
    r = open_session(lbie)
    assert [t.request for t in r.turns] == ["brighten it"]
    assert np.array_equal(r.current(full=True), load_image(out).rgb)
    assert r.current(full=True).mean() > r.render(upto=0, full=True).mean() + 5
    assert main(["session", "info", str(lbie)]) == 0
    assert "turn 1: 'brighten it'" in capsys.readouterr().out


def test_session_bench_prints_its_figures(capsys):
    from lbie_desktop.cli import main

    assert main(["session", "bench", "--megapixels", "0.3", "--masks", "1"]) == 0
    out = capsys.readouterr().out
    for label in ("load:", "first autosave", "next autosave", "reopen .lbie:"):
        assert label in out
    assert main(["session", "bench", "--megapixels", "500"]) == 2


@pytest.mark.parametrize("field,value", [
    ("turns", [1, 2]), ("turns", "abc"), ("source", {"embedded": 5}), ("saved", "yesterday"),
    ("turns", [{"plan": {"steps": [{"op": "brightness", "confidence": "high"}]}}]),
    ("turns", [{"plan": {"steps": [{"op": "brightness", "params": [1, 2]}]}}]),
    ("undone", [{"plan": {"steps": "none"}}]), ("session_id", {"a": 1}),
])
def test_type_confused_manifests_are_refused_clearly(tmp_path, photo, field, value):
    out = save_session(three_turn_session(photo), tmp_path / "s.lbie")
    bad = tmp_path / "bad.lbie"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                data = json.dumps({**json.loads(data), field: value}).encode()
            dst.writestr(item, data)
    for reader in (open_session, read_info):
        try:
            reader(bad)
        except UserError as exc:
            assert "bad.lbie" in str(exc)
