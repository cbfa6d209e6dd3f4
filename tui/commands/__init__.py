"""The sub-commands of `scnet-images`, one module per command or close group.

Each module has `register(commands)`, which adds its sub-parser(s) with their own
arguments and `run` function; `tui/cli.py` only parses and dispatches. Modules are
cheap to import (what a command needs is imported when it runs), so building the
parser costs no httpx and no Textual:

- `browse.py`: the interactive browser (the only command that imports Textual);
- `lookup.py`: `list` and `path`; `where.py`: `where` and `list --all-regions`;
- `accounts.py`: `login`, `profiles`, `logout`;
- `containers.py`: `run`, `ps`, `url`, `restart`, `stop`, `rm`;
- `demo_server.py`: the standalone demo API;
- `serve.py`: the browser served as a web page (textual-serve, the `web` extra);
- `cache_command.py`: `cache info|clear`; `completion.py`: `completion bash|zsh|fish`
  and the completers <TAB> uses;
- `doctor.py`: `doctor`, which checks the configuration, the token and every region.

Shared pieces: `connect.py` (the connection flags and settings), `output.py` (what is
printed and how: aligned columns, messages on stderr), `exits.py` (exit codes).
"""

from . import accounts, browse, cache_command, completion, containers, demo_server, doctor, lookup, serve, where

# In the order `--help` lists them.
COMMANDS = (browse, lookup, where, containers, accounts, doctor, cache_command, completion, demo_server, serve)
