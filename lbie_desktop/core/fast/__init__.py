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


def _frozen_cache_locator() -> None:
    """In a frozen app the kernels' sources are not files, so numba's NUMBA_CACHE_DIR locator
    skips them and falls back to ~/.cache/numba (measured on the bundle: the warm-up filled
    ~/.cache/numba, not the data folder, so every launch looked cold). This locator takes
    NUMBA_CACHE_DIR whatever the source path; numba stamps frozen code by the executable."""
    try:
        from numba.core import caching, config
    except Exception:  # noqa: BLE001 - numba unusable: the reference path renders (readiness)
        return

    class FrozenUserProvidedLocator(caching.UserProvidedCacheLocator):
        @classmethod
        def from_function(cls, py_func, py_file):
            return cls(py_func, py_file) if config.CACHE_DIR else None

    classes = caching.CacheImpl._locator_classes
    if not any(c.__name__ == FrozenUserProvidedLocator.__name__ for c in classes):
        classes.insert(0, FrozenUserProvidedLocator)


if getattr(sys, "frozen", False):
    _frozen_cache_locator()
