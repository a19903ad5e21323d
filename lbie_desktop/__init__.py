"""LBIE Desktop: a local-first photo editor driven by language."""

import os

# Idle OpenMP threads spin ~5 ms of a core after each parallel kernel; set before torch
# loads libgomp (numba's kernels share it). Why: lbie_desktop/core/fast/__init__.py.
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

__version__ = "0.1.0"
