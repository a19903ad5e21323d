"""Grounding: (image, target phrase, request context) -> soft mask + explanation.

Public API: `ground(image_rgb, phrase, context="", op=None) -> Grounding`.
"""

from lbie_desktop.grounding.api import Grounding, ground, instance_masks

__all__ = ["Grounding", "ground", "instance_masks"]
