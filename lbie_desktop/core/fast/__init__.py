"""The renderer's fast path: exact colour-table fusion of per-pixel ops (colour_table.py),
OpenCV blur/unsharp (blur.py), numba kernels (kernels.py), and `lbie bench` (bench.py)."""
