"""segmint.analysis."""
