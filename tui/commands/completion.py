"""`scnet-images completion bash|zsh|fish`, and what <TAB> offers.

The scripts come from argcomplete: on <TAB> the shell runs `scnet-images` itself with the
command line in its environment; `complete` (called before anything else runs) answers
from the argument definitions and these completers, and exits. Completion never waits on
the network: image names and versions come from the name list of the cached catalog of the
account the line names (its token's), profile names from the config file (no `token_command`
is run, so a profile whose token comes from one gets no image names).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from ..i18n import _
from .exits import EXIT_OK

ACCELERATORS = ("dcu", "gpu", "cpu", "mlu")
IMAGE_TYPES = ("Base", "JupyterLab", "CodeServer", "RStudio")


def register(commands: argparse._SubParsersAction) -> None:
    completion = commands.add_parser(
        "completion",
        help=_("print the shell completion script"),
        description=_("Print a script that makes <TAB> complete scnet-images commands, flags, "
                      "profiles, filter values and image names (from the cached catalog)."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(
            "install:\n"
            '  bash:  echo \'eval "$(scnet-images completion bash)"\' >> ~/.bashrc\n'
            "  zsh:   echo 'autoload -U bashcompinit && bashcompinit; eval \"$(scnet-images completion zsh)\"'"
            " >> ~/.zshrc\n"
            "  fish:  scnet-images completion fish > ~/.config/fish/completions/scnet-images.fish\n"
        ),
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    completion.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import argcomplete

    sys.stdout.write(argcomplete.shellcode(["scnet-images"], shell=args.shell))
    return EXIT_OK


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer a <TAB> (the shell set _ARGCOMPLETE) and exit; return at once otherwise."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    _attach(parser)
    _finder()(parser, always_complete_options=False)


def _finder() -> Any:
    """argcomplete's finder, de-duplicating in linear time.

    Its own `filter_completions` tests each candidate against a list of those kept (the
    method is there to be overridden): 15,000 versions of one name took a second.
    """
    import argcomplete

    class Finder(argcomplete.CompletionFinder):
        def filter_completions(self, completions: list[str]) -> list[str]:
            exclude = self.exclude or ()
            return [completion for completion in dict.fromkeys(completions) if completion not in exclude]

        def quote_completions(self, completions: list[str], cword_prequote: str, last_wordbreak_pos: int | None) -> list[str]:
            # Escaping tries twenty characters on every candidate. Many plain candidates (image
            # versions) for bash or fish need none of it: only bash's cut at the last word
            # break (the `:` of `name:tag`), which is all that is done for them here.
            shell = os.environ.get("_ARGCOMPLETE_SHELL", "bash")
            plain = (
                len(completions) > 1 and not cword_prequote
                and shell in ("bash", "fish", "tcsh")
                and _PLAIN.fullmatch("\x00".join(completions)) is not None
            )
            if plain:
                return completions if last_wordbreak_pos is None else [
                    completion[last_wordbreak_pos + 1 :] for completion in completions]
            quoted = super().quote_completions(completions, cword_prequote, last_wordbreak_pos)
            if cword_prequote or shell not in ("bash", "zsh"):  # quoted, or a shell that escapes itself
                return quoted
            # argcomplete leaves `~` as it is: bash and zsh would expand `~name` to a home folder.
            return [self._escaped_tilde(completion) for completion in quoted]

        def _escaped_tilde(self, completion: str) -> str:
            escaped = completion.replace("~", "\\~")
            if escaped != completion and completion in self._display_completions:
                self._display_completions[escaped] = self._display_completions[completion]
            return escaped

    return Finder()


def _attach(parser: argparse.ArgumentParser) -> None:
    """Give the arguments with open-ended values their completers."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _attach(sub)
            continue
        completer = {
            "profile": _profiles, "region": _regions, "accelerator": _choices(ACCELERATORS),
            "image_type": _choices(IMAGE_TYPES),
            "sort": _sort_fields, "terms": _images, "search": _images,
        }.get(action.dest)
        if completer is not None:
            action.completer = completer  # type: ignore[attr-defined]


# Characters no shell escapes in a completion (NUL, which no argument holds, separates them).
_PLAIN = re.compile(r"[A-Za-z0-9_.,:/@+%=\x00-]*")


def _choices(values: tuple[str, ...]) -> Any:
    return lambda prefix, **_: [value for value in values if value.startswith(prefix)]


def _sort_fields(prefix: str, **_: Any) -> list[str]:
    from ..columns import SORT_FIELDS

    fields = [*SORT_FIELDS, *(f"-{field}" for field in SORT_FIELDS)]
    return [field for field in fields if field.startswith(prefix)]


def _profiles(prefix: str, **_: Any) -> list[str]:
    from ..config import config_path, read_config_file

    try:
        profiles = read_config_file(config_path()).get("profiles")
    except Exception:  # completion offers nothing rather than a traceback in the prompt
        return []
    return sorted(name for name in (profiles if isinstance(profiles, dict) else {}) if name.startswith(prefix))


def _regions(prefix: str, **_: Any) -> list[str]:
    """The regions' ids, then their names: the stored profiles', else the demo API's."""
    ids, names = [], []
    for cluster, name in _known_regions():
        ids.append(cluster)
        names.append(name)
    return [value for value in dict.fromkeys([*ids, *names]) if value and value.startswith(prefix)]


def _known_regions() -> list[tuple[str, str]]:
    """(id, name) of each stored profile's region; with none, of the demo API's regions."""
    from ..config import config_path, read_config_file

    try:
        profiles = read_config_file(config_path()).get("profiles")
    except Exception:
        return []
    stored = [(str(profile.get("cluster_id") or ""), str(profile.get("region") or ""))
              for profile in (profiles.values() if isinstance(profiles, dict) else ()) if isinstance(profile, dict)]
    if stored:
        return stored
    from ..demo.accounts import DEMO_REGIONS

    return [(region.cluster_id, region.name) for region in DEMO_REGIONS]


def _images(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    """Names and name:tag versions of the cached catalog of the region and account the line names."""
    from ..cache_names import load_names

    try:
        return load_names(_cache_key(parsed_args), prefix)
    except Exception:
        return []


def _cache_key(args: argparse.Namespace) -> str | None:
    """The cache file of the region and account the flags, environment or config name, found
    without running anything (a `token_command` is not run for a <TAB>: None, no names)."""
    from ..cache_names import key_of
    from ..config import ENV_BASE_URL, ENV_PROFILE, ENV_TOKEN, config_path, read_config_file

    data = read_config_file(config_path())
    profiles = data.get("profiles") if isinstance(data.get("profiles"), dict) else {}
    region = str(getattr(args, "region", None) or "").strip()
    if region and not profiles:  # a demo region
        return key_of("", "", demo=True, demo_region=region)
    by_region = [name for name, stored in profiles.items() if isinstance(stored, dict)
                 and region in (str(stored.get("cluster_id") or ""), str(stored.get("region") or ""))] if region else []
    name = (by_region[0] if len(by_region) == 1 else "") or getattr(args, "profile", None) or os.environ.get(
        ENV_PROFILE) or data.get("default_profile") or (next(iter(profiles)) if len(profiles) == 1 else "")
    stored = profiles.get(name, {}) if isinstance(profiles.get(name), dict) else {}
    base_url = getattr(args, "base_url", None) or os.environ.get(ENV_BASE_URL) or stored.get("base_url") or ""
    if not base_url:
        return key_of("", "", demo=True)
    token = getattr(args, "token", None) or os.environ.get(ENV_TOKEN) or stored.get("token") or ""
    # The key of the tokens' hashes is never made for a <TAB>: without it nothing is cached anyway.
    return key_of(str(base_url), str(token).strip(), demo=False, create=False) if str(token).strip() else None
