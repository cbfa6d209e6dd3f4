"""`python -m tui` is `scnet-images`."""

from .cli import main

raise SystemExit(main())
