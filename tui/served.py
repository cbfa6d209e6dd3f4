"""What a visitor of a served page (`scnet-images serve`) may read: nothing names a file of
the machine serving it. `serve` sets SCNET_SERVED=1 for the app it runs for each tab; the
app passes every notice and banner through `for_visitors`."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from .i18n import _


def served() -> bool:
    """Whether this app runs for a web page's visitor rather than for the machine's user."""
    return os.environ.get("SCNET_SERVED") == "1"


def _local_roots() -> list[str]:
    """The folders a message of ours may name a file under: the home, the app's own folders
    (wherever XDG_* put them), the temporary folder, the Python environment, the working one."""
    import platformdirs

    roots = {str(Path.home()), tempfile.gettempdir(), sys.prefix, os.getcwd(),
             platformdirs.user_cache_dir("scnet-images"), platformdirs.user_config_dir("scnet-images"),
             platformdirs.user_data_dir("scnet-images")}
    roots.update(value for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "SCNET_CONFIG")
                 if (value := os.environ.get(name)))
    return sorted((root.rstrip("/") for root in roots if len(root.rstrip("/")) > 1), key=len, reverse=True)


def for_visitors(text: str) -> str:
    """`text` as a visitor may read it: each path under a local folder replaced by words
    saying there is one (unchanged when not served)."""
    if not served() or not text:
        return text
    # A root where a path starts (not inside a URL or another path: `/public/home/alice`, a
    # host's `/home/alice/lab`) and ending there or at a `/` (not `/rootfs` for `/root`).
    pattern = re.compile(r"(?<![\w/.:~-])(?:" + "|".join(map(re.escape, _local_roots())) + r")(?![\w.~-])"
                         r"(?:/[^\s'\"`(),;，。）]*)?")
    return pattern.sub(_("(a file of the serving machine)"), text)
