"""Fill operations: replace a region (color_bg: a colour, transparency or blur; inpaint_obj:
the surroundings continued into it). Both need a mask."""

from __future__ import annotations

import numpy as np
import torch

from lbie_desktop.core.ops.pixel_math import gaussian_blur, safe_div, short_side
from lbie_desktop.core.ops.registry import Op, Param, register

_FILL = {"needs_mask": True}


def _color_bg(img: torch.Tensor, p, mask: torch.Tensor | None) -> torch.Tensor:
    mode = p["mode"]
    if mode == "color":
        return p["color"].to(img.dtype).view(1, 3, 1, 1).expand_as(img)
    if mode == "blur":
        # Normalised convolution: blur only what is inside the mask, so the subject's colours
        # do not bleed into the blurred background around its outline.
        m = torch.ones_like(img[:, :1]) if mask is None else mask
        sigma = p["blur"] * (short_side(img) / 100.0)
        return safe_div(gaussian_blur(img * m, sigma), gaussian_blur(m, sigma))
    return img  # transparent: RGB kept, alpha_fn clears it


def _color_bg_alpha(p, mask: torch.Tensor | None) -> torch.Tensor | None:
    if p.get("mode") != "transparent" or mask is None:
        return None
    return 1 - mask


register(Op(
    name="color_bg", label="Fill region", family="fill",
    description="Fill a region (often the background) with a colour, transparency or blur.",
    params=(Param("mode", "Fill with", kind="choice", default="color",
                  choices=("color", "transparent", "blur")),
            Param("color", "Colour", 0.0, 1.0, (1.0, 1.0, 1.0), 0.01, kind="color", length=3),
            Param("blur", "Blur", 0.1, 10.0, 2.0, 0.1, unit="% of short side",
                  help="used when filling with blur")),
    fn=_color_bg, alpha_fn=_color_bg_alpha, gier_names=("color_bg",),
    keywords=("background", "white background", "backdrop", "transparent", "cut out",
              "remove the background", "plain background", "blur the background", "fill"),
    extra=_FILL,
))


def _inpaint_obj(img: torch.Tensor, p, mask: torch.Tensor | None,
                 context: dict | None = None) -> torch.Tensor:
    from lbie_desktop.core.inpaint import PatchMatchInpainter, get_inpainter

    if mask is None:
        return img
    inpainter = PatchMatchInpainter(method="fast") if p["method"] == "fast" else get_inpainter()
    avoid = _avoid_at(context, img.shape[-2:])
    outs = []
    for b in range(img.shape[0]):
        rgb = (img[b].detach().clamp(0, 1).permute(1, 2, 0) * 255).round().to(torch.uint8)
        hole = (mask[b if mask.shape[0] > 1 else 0, 0] > 0.5).cpu().numpy()
        filled = inpainter(np.ascontiguousarray(rgb.cpu().numpy()), hole,
                           avoid=None if avoid is None else avoid & ~hole)
        outs.append(torch.from_numpy(filled).to(img.device, img.dtype).permute(2, 0, 1) / 255)
    return torch.stack(outs)


def _avoid_at(context: dict | None, size) -> np.ndarray | None:
    """The regions not to copy from (people kept when others are removed) at image size."""
    avoid = (context or {}).get("avoid")
    if avoid is None:
        return None
    a = np.asarray(avoid, dtype=np.float32)
    if a.shape != tuple(size):
        import cv2

        a = cv2.resize(a, (int(size[1]), int(size[0])), interpolation=cv2.INTER_LINEAR)
    return a > 0.5


register(Op(
    name="inpaint_obj", label="Remove", family="fill",
    description="Remove what is in the region and fill it in from its surroundings.",
    params=(Param("method", "Method", kind="choice", default="auto", choices=("auto", "fast"),
                  help="fast: quick smooth fill (good for thin things like wires)"),),
    fn=_inpaint_obj, differentiable=False, gier_names=("inpaint_obj",),
    keywords=("remove", "erase", "delete", "get rid of", "take out", "clean up", "without",
              "disappear", "inpaint", "object removal"),
    extra={**_FILL, "uses_context": True},
))
