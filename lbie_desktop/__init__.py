"""LBIE Desktop: a local-first photo editor driven by language."""

__version__ = "0.1.0"
