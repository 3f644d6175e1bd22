"""segmint.sources."""
