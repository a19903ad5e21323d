"""What the bundle leaves out, and why (used by lbie.spec; plain Python so tests can read it).

PyInstaller follows every import it can see, including optional ones inside torch,
transformers and huggingface_hub that the app never reaches at run time. Each exclusion below
was checked against the modules a full self-test actually loads (see README.md, "Trimming").
"""

from __future__ import annotations

import json
from fnmatch import fnmatch
from pathlib import Path

# Python modules the app never imports at run time.
EXCLUDED_MODULES: list[str] = [
    # tests, notebooks, plotting, other GUI toolkits
    "tkinter", "_tkinter", "matplotlib", "IPython", "jupyter", "notebook", "pytest", "_pytest",
    "hypothesis", "pytestqt", "pluggy", "pygments", "py",  # py: pytest's py.path shim
    # scientific stacks reached only through optional imports: numba imports scipy just to
    # check its version (our kernels use no scipy-backed features), networkx is torch.compile's
    # partitioner; sklearn/skimage are dev-only. (sympy stays: torch imports it.)
    "scipy", "sklearn", "skimage", "pandas", "networkx",
    # other ML frameworks and torch add-ons the CPU app does not use
    "torchvision", "torchaudio", "tensorflow", "jax", "flax", "triton", "onnx", "onnxscript",
    "torch.utils.tensorboard", "tensorboard", "torch._inductor.codegen.cuda",
    # huggingface_hub extras for uploads, webhooks and its CLI: the app never talks to a hub
    # (httpx2 stays: huggingface_hub imports it at import time). jinja2 is only probed by
    # transformers for chat templates.
    "hf_xet", "pydantic", "pydantic_core", "jinja2", "rich", "typer", "click",
    "sentence_transformers", "datasets", "accelerate", "peft", "bitsandbytes",
    # build tools
    "setuptools", "pip", "distutils", "numba.pycc", "numba.tests", "llvmlite.tests",
    # Qt modules the editor does not use (PySide6-Essentials; QtWidgets/QtGui/QtCore only)
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets",
    "PySide6.QtWebEngineCore", "PySide6.Qt3DCore", "PySide6.QtMultimedia", "PySide6.QtSql",
    "PySide6.QtTest", "PySide6.QtPdf", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets",
    "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtXml", "PySide6.QtConcurrent",
    "PySide6.QtDBus", "PySide6.QtPrintSupport", "PySide6.QtUiTools", "PySide6.QtSvgWidgets",
]

# Files (destination paths inside the bundle) that are never loaded by the app.
UNUSED_FILES: list[str] = [
    "torch/test/*", "torch/bin/protoc*", "torch/bin/*Test", "torch/bin/test_*",
    "torch/bin/*.ptl", "torch/bin/*.pt", "torch/include/*", "torch/share/*", "torch/lib/*.a",
    "torch/lib/libtorchbind_test.so", "torch/lib/libaoti_custom_ops.so",
    "torch/lib/libbackend_with_compiler.so", "torch/lib/libjitbackend_test.so",
    "torch/testing/_internal/*", "*/tests/*", "*/test/*", "*.pyi", "*.h", "*.hpp", "*.cuh",
    "PySide6/Qt/translations/*", "PySide6/Qt/plugins/qmltooling/*",
    "PySide6/Qt/plugins/sqldrivers/*", "PySide6/Qt/plugins/designer/*",
    "PySide6/Qt/plugins/networkinformation/*", "PySide6/Qt/plugins/tls/*",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",  # needs GTK 3, absent on many systems
    "PySide6/Qt/lib/libQt6Quick*", "PySide6/Qt/lib/libQt6Qml*", "PySide6/Qt/lib/libQt6Pdf*",
    "PySide6/Qt/lib/libQt6Network*", "PySide6/Qt/lib/libQt6OpenGLWidgets*",
    "PySide6/Qt/lib/libQt6Sql*", "PySide6/Qt/lib/libQt6Test*",
    "cv2/data/*",  # Haar cascades: the app does no face detection through OpenCV
]

# CUDA/GPU runtimes: a CPU build must not carry them (an onnxruntime-gpu or CUDA torch in the
# build venv would otherwise drag in gigabytes).
GPU_ONLY_FILES: list[str] = [
    "*libcudart*", "*libcublas*", "*libcudnn*", "*libcufft*", "*libcurand*", "*libcusparse*",
    "*libcusolver*", "*libnccl*", "*libnvrtc*", "*libnvJitLink*", "*libnvToolsExt*", "*libcupti*",
    "*libcufile*", "*libtorch_cuda*", "*libc10_cuda*", "*onnxruntime_providers_cuda*",
    "*onnxruntime_providers_tensorrt*", "nvidia/*", "triton/*",
]


def is_unused(dest: str, *, gpu: bool = False) -> bool:
    dest = dest.replace("\\", "/")
    patterns = UNUSED_FILES + ([] if gpu else GPU_ONLY_FILES)
    return any(fnmatch(dest, p) for p in patterns)


def drop_unused(toc: list, *, gpu: bool = False) -> list:
    """A PyInstaller TOC (dest, source, kind) without the unused files."""
    return [entry for entry in toc if not is_unused(entry[0], gpu=gpu)]


# Tools in models/ that build weights; the app only reads the results.
MODEL_TOOL_DIRS = {"convert"}
PACKS_FILE = "grounding-packs.json"


def fetched_pack_files(models_dir: Path) -> set[str]:
    """File names of model packs the app downloads on first use (e.g. ISNet, whose package is
    AGPL): they must never ship in the bundle, even if a developer has a copy in models/."""
    packs_file = models_dir / PACKS_FILE
    if not packs_file.is_file():
        return set()
    packs = json.loads(packs_file.read_text(encoding="utf-8")).get("packs", {})
    return {name for pack in packs.values() if pack.get("kind") != "bundled"
            for name in pack.get("files", {})}


def model_datas(models_dir: Path) -> list[tuple[str, str]]:
    """(source, destination folder) for every file of models/ the app reads at run time."""
    if not models_dir.is_dir():
        return []  # a fresh clone before any model landed: git keeps no empty folders
    fetched = fetched_pack_files(models_dir)
    out = []
    for f in sorted(models_dir.rglob("*")):
        rel = f.relative_to(models_dir)
        if (not f.is_file() or rel.parts[0] in MODEL_TOOL_DIRS or f.name in fetched
                or "__pycache__" in rel.parts):
            continue
        out.append((str(f), str(Path("models") / rel.parent)))
    return out
