"""Run the CLI as ``python -m kg``."""

from kg.cli.main import main

main()
