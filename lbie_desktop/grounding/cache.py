"""Per-image memo for model results: one request often grounds several phrases on one photo
("remove the people in the background and blur the background")."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

_MAX = 8
_memo: OrderedDict[tuple[str, str], Any] = OrderedDict()
_lock = threading.Lock()


def image_key(image: np.ndarray) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(str((image.shape, image.dtype.str)).encode())
    h.update(np.ascontiguousarray(image).data)
    return h.hexdigest()


def cached(name: str, image: np.ndarray, compute: Callable[[], Any]) -> Any:
    key = (name, image_key(image))
    with _lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    value = compute()
    with _lock:
        _memo[key] = value
        while len(_memo) > _MAX:
            _memo.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _memo.clear()
