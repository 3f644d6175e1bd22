"""segmint.features."""
