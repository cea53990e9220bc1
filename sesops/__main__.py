"""``python -m sesops`` runs the command line."""

from sesops.cli import run

run()
