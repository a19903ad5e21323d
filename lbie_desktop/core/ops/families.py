"""Imports every op family module so their ops register (order = menu order)."""

from lbie_desktop.core.ops import colour, detail, fill, geometry, tone  # noqa: F401
