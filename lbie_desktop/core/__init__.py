"""Qt-free core: ops, plans, rendering, sessions, image I/O."""
