"""Run the CLI with `python -m segmint.cli`."""

from segmint.cli import main

main()
