"""Grounding sources: each turns an image (+ a few words) into soft masks and instances."""
