"""scnet-images: a terminal browser for the SCNet AI platform's image catalog."""

__version__ = "0.1.0"
