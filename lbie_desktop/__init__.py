"""LBIE Desktop: a local-first photo editor driven by language."""

import os

# numba's parallel kernels run on GNU OpenMP, whose idle workers spin for 300,000 rounds
# (~5 ms of a core, measured here) after every kernel before they sleep. A preview render
# is a few kernels of a few ms each: on 2 cores the spinning took the core the next step
# (torch slices, the UI thread) needed. 10,000 rounds keep back-to-back kernels' hand-over
# fast and the spin under 0.1 ms. libgomp reads it once, when first loaded (torch loads it
# on import), so it is set here: every import of the project's modules runs this first.
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

__version__ = "0.1.0"
