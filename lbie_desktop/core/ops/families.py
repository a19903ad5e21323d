"""Imports every op family module so their ops register (order = menu order)."""

from importlib import import_module

FAMILIES = ("tone", "colour", "detail", "effects", "fill", "geometry")

for _name in FAMILIES:
    import_module(f"lbie_desktop.core.ops.{_name}")
