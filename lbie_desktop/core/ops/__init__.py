"""Operation registry. `all_ops()` / `get_op(name)` / `apply_op(name, img, params, mask)`."""

from lbie_desktop.core.ops.registry import (
    REGISTRY,
    Op,
    Param,
    all_ops,
    apply_op,
    get_op,
    params_to_tensors,
    register,
)

__all__ = ["REGISTRY", "Op", "Param", "all_ops", "apply_op", "get_op", "params_to_tensors",
           "register"]
