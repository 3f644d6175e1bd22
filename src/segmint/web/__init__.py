"""The dashboard of `segmint serve`: server-rendered pages (Jinja2) with Plotly charts."""
