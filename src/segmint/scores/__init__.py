"""segmint.scores."""
