"""The renderer's fast path: exact colour-table fusion of per-pixel ops (colour_table.py,
index_kernels.py), blur/unsharp (blur.py, blur_kernels.py), other numba kernels
(kernels.py), and `lbie bench` (bench.py)."""

import os
import sys
from pathlib import Path

# numba caches compiled kernels beside the sources; an installed or frozen app cannot write
# there, so it compiles into the user's data folder instead (must be set before import).
if "NUMBA_CACHE_DIR" not in os.environ and (getattr(sys, "frozen", False)
                                            or not os.access(Path(__file__).parent, os.W_OK)):
    from lbie_desktop.paths import sub_dir

    os.environ["NUMBA_CACHE_DIR"] = str(sub_dir("numba-cache"))
