"""Model packs: pins, verification, clear errors when a pack is missing or damaged."""

from __future__ import annotations

import pytest

from lbie_desktop.cli import main
from lbie_desktop.errors import MissingModelError
from lbie_desktop.models import manager


def test_every_pack_pins_a_sha256_per_file_and_a_licence():
    packs = manager.packs()
    assert {"people", "objects", "salient"} <= set(packs)
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
