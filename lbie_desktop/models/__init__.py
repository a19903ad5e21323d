"""Model packs: fetch/verify (manager) and inference sessions (runtime)."""
