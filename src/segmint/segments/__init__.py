"""segmint.segments."""
