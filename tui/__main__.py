"""`python -m tui` is `scnet-images`."""

from .cli import entry

entry()
