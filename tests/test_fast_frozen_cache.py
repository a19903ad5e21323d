"""A frozen (packaged) app keeps numba's compiled kernels in its data folder: numba's own
NUMBA_CACHE_DIR locator skips functions whose source is not a file, which is every kernel in a
bundle, and would fall back to ~/.cache/numba — where the editor's warm-up check never looks."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_frozen_app_caches_kernels_in_numba_cache_dir(tmp_path):
    code = textwrap.dedent("""
        import sys
        sys.frozen = True  # as PyInstaller sets it, before the package is imported
        import lbie_desktop.core.fast  # installs the locator
        from numba import njit
        from numba.core import caching

        def kernel(x):
            return x + 1

        kernel.__code__ = kernel.__code__.replace(co_filename="/no/such/dir/kernels.py")
        fn = njit(cache=True)(kernel)
        impl = caching.CompileResultCacheImpl(fn.py_func)
        print(type(impl.locator).__name__, impl.locator.get_cache_path())
    """)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    name, path = out.stdout.split()
    assert name == "FrozenUserProvidedLocator"
    assert Path(path).is_relative_to(tmp_path)
