"""The `dingtalk-im` entry point: the command, or one line naming the extra it needs.

The command lives in `cli/`, which imports click and rich (the `cli` extra). This
module imports neither, so a package installed without the extra answers
`dingtalk-im` with what to install (exit status 2, a usage error), not a traceback.
"""

from __future__ import annotations

import sys

from .errors import MissingExtraError

__all__ = ["main"]

#: The packages of the `cli` extra that `dingtalk_im_async.cli` imports.
CLI_PACKAGES = frozenset({"click", "rich"})


def main() -> None:
    """Run `dingtalk-im`; without the `cli` extra, say what to install and exit 2."""
    try:
        from .cli import main as command
    except ModuleNotFoundError as error:
        package = (error.name or "").partition(".")[0]
        if package not in CLI_PACKAGES:
            raise
        missing = MissingExtraError(feature="dingtalk-im", package=package, extra="cli")
        print(f"Error: {missing}", file=sys.stderr)
        raise SystemExit(2) from None
    command()
