"""Request understanding: free-form request (+ image) -> proposed steps.

Public API: `understand(request, image=None) -> list[Step]` where each Step carries op,
params, confidence, local, target phrase (for local steps, mask still None) and evidence;
`understand_many` for batches; `preload()` loads the model (call it from a worker thread:
the first call takes a few seconds).
"""

from lbie_desktop.understanding.api import understand, understand_many


def preload() -> bool:
    """Load the classifier now; False if its weights are not installed."""
    from lbie_desktop.understanding.classifier import get_classifier

    return get_classifier() is not None


__all__ = ["preload", "understand", "understand_many"]
