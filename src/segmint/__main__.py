"""Run the CLI with `python -m segmint`."""

from segmint.cli import main

main()
