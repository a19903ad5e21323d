"""Research reproductions (benchmarks from papers), kept apart from the app's core."""
