"""The embedded SCNet-compatible API (server and catalog). Imports nothing of the UI."""

from .catalog import demo_catalog, synthetic_catalog
from .server import DEMO_TOKEN, DemoServer, Fault

__all__ = ["DEMO_TOKEN", "DemoServer", "Fault", "demo_catalog", "synthetic_catalog"]
