"""Exit codes of the shell commands, in one table (README.md and `--help` show it)."""

from __future__ import annotations

from ..i18n import N_

EXIT_OK = 0
EXIT_NO_MATCH = 1
EXIT_AMBIGUOUS = 2
EXIT_NETWORK = 4  # as NetworkError.exit_code
EXIT_MALFORMED = 6  # as MalformedResponse.exit_code
EXIT_OUTCOME_UNKNOWN = 8  # as OutcomeUnknown.exit_code
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130

# Shown with _(EXIT_CODES_HELP) where --help is built (the language is chosen after import).
EXIT_CODES_HELP = N_("""\
exit codes:
  0   success
  1   path, run: no image matches
  2   path, run: several images match equally well (candidates on stderr)
  3   the token or the login was refused (expired, frozen, wrong password)
  4   network or TLS failure (unreachable, timeout, certificate)
  5   API error (an error code or HTTP status; run --wait: the instance failed)
  6   malformed response, or a path that is not an image reference
  7   configuration error
  8   run, restart, stop, rm: sent, but the outcome is unknown (check with ps)
  9   run: accepted, but no usable instance id came back (ps shows it)
  64  usage error (also launch settings outside the group's limits)
""")
