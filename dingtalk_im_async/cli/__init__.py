"""The `dingtalk-im` command (optional extra `cli`): one module per subcommand."""

from __future__ import annotations

import click

from . import _scene_group_people  # noqa: F401 - adds its subcommands to scene-group
from .bulk import bulk
from .card import card
from .create import create_group
from .emulator import emulator
from .group import group
from .listen import listen
from .scene_group import scene_group
from .send import send

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dingtalk-im-async")
def main() -> None:
    """DingTalk IM groups from the command line."""


main.add_command(create_group)
main.add_command(bulk)
main.add_command(send)
main.add_command(emulator)
main.add_command(group)
main.add_command(listen)
main.add_command(card)
main.add_command(scene_group)
