"""segmint.report."""
