"""`from dingtalk_im_async import DingTalkClient` leaves the optional parts unloaded.

Start-up cost (issue 27): the Stream client, the CLI, the emulator and the
Redis support are imported only by whoever uses them.
"""

from __future__ import annotations

import subprocess
import sys


def test_the_client_import_loads_no_stream_cli_emulator_or_redis() -> None:
    probe = (
        "from dingtalk_im_async import DingTalkClient\n"
        "import sys\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()
    for optional in (
        "dingtalk_im_async.stream",
        "dingtalk_im_async.cli",
        "dingtalk_im_async.emulator",
        "redis",
    ):
        assert [m for m in loaded if m == optional or m.startswith(optional + ".")] == []
    assert "dingtalk_im_async.client" in loaded  # the probe did import the package
