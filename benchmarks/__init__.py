"""segmint benchmarks: each module's `main()` prints its results and ratios against a baseline."""
