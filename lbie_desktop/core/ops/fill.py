"""fill operations (filled in by the ops work)."""
