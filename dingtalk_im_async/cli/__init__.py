"""The `dingtalk-im` command (optional extra `cli`): one module per subcommand."""

from __future__ import annotations

import click

from .emulator import emulator

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dingtalk-im-async")
def main() -> None:
    """DingTalk IM groups from the command line."""


main.add_command(emulator)
