"""Dialogs: export, settings, model packs, about."""
