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

# numba's parallel kernels run on GNU OpenMP, whose idle workers spin for 300,000 rounds
# (~5 ms of a core, measured here) after every kernel before they sleep. A preview render
# is a few kernels of a few ms each: on 2 cores the spinning took the core the next step
# (torch slices, the UI thread) needed. 10,000 rounds keep back-to-back kernels' hand-over
# fast and the spin under 0.1 ms. libgomp reads it once, when first loaded: torch loads it
# on import and numba's kernels bind to that copy, so lbie_desktop/__init__.py sets it
# before anything imports torch (here again for code that loads the fast path alone).
os.environ.setdefault("GOMP_SPINCOUNT", "10000")
