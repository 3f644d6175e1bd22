"""segmint.demo."""
