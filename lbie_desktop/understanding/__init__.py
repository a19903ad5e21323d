"""Request understanding: free-form request (+ image) -> proposed steps.

Public API: `understand(request, image=None) -> list[Step]` where each Step carries op,
params, confidence, local, target phrase (for local steps, mask still None) and evidence.
"""

from lbie_desktop.understanding.api import understand

__all__ = ["understand"]
