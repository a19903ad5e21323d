"""Grounding: (image, target phrase, request context) -> soft mask + explanation.

Public API: `ground(image_rgb, phrase, context="", op=None) -> Grounding`;
`instance_masks(image)` for click-to-select; `refine` for brush/click/invert/grow/feather.
Sources (grounding/sources/): people + faces (MoveNet multipose, selfie segmentation, NanoDet
person boxes), objects (NanoDet COCO-80 + GrabCut), salient subject/background (ISNet pack),
sky/colour/place/tone (classical), openvocab (a user-supplied CLIPSeg folder).
"""

from lbie_desktop.grounding.api import Grounding, ground, instance_masks

__all__ = ["Grounding", "ground", "instance_masks"]
