"""Run casey-cli as `python -m casey_cli`."""

from casey_cli.cli import main

main()
