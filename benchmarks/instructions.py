"""Instructions per create, counted by valgrind: (a) the bare aiohttp loop, (b) this client.

    python benchmarks/instructions.py [--codec default|orjson] [--repeat 3]

CPU time on a shared machine moves with the other jobs; the number of
instructions the client executes per call hardly does. Each client runs
in its own process under `valgrind --tool=cachegrind` (the emulator it
talks to runs natively, as a child valgrind does not trace), once for
`--calls` LOW and once for HIGH creates at concurrency 50 after a warm-up;
the difference divided by HIGH - LOW is the cost of one create, start-up
and warm-up cancelled out. How the event loop happens to batch replies
still moves it by a percent or two from run to run: `--repeat` runs each
several times and prints the median. Needs valgrind (`apt install
valgrind`); about a minute per run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONCURRENCY = 50
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codec", choices=("default", "orjson"), default="default")
    parser.add_argument("--clients", default="a,b", help="a (bare loop), b (this client)")
    parser.add_argument("--calls", default="500,1500", help="LOW,HIGH creates per process")
    parser.add_argument("--repeat", type=int, default=1, help="runs per client; median shown")
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)  # KEY CALLS: one process
    return parser.parse_args()


def _instructions(key: str, calls: int, codec: str) -> int:
    """Instructions of one client process making `calls` creates (plus start-up, warm-up)."""
    environment = {
        **os.environ,
        "DINGTALK_IM_ASYNC_JSON": "stdlib" if codec == "default" else "auto",
    }
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--run",
            key,
            str(calls),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    found = _REFS.search(done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


async def _one_process(key: str, calls: int) -> None:
    """The measured process: one client, a warm-up, then `calls` creates."""
    sys.path.insert(0, str(HERE))
    import aiohttp
    from _certs import write_certificates
    from _clients import RawAiohttp, ThisClient, client_ssl_context, fetch_token, measure
    from _server import emulator_process

    with tempfile.TemporaryDirectory() as scratch:
        ca_pem, chain_pem = write_certificates(Path(scratch))
        with emulator_process(chain_pem) as server:
            async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=client_ssl_context(ca_pem))
            ) as session:
                token = await fetch_token(session, server.base_url)
            client = (
                RawAiohttp(server.base_url, ca_pem, token)
                if key == "a"
                else ThisClient(server.base_url, ca_pem)
            )
            try:
                await measure(client.call, 300, CONCURRENCY)
                await measure(client.call, calls, CONCURRENCY)
            finally:
                await client.close()


def main() -> None:
    args = _parse_args()
    if args.run:
        asyncio.run(_one_process(args.run[0], int(args.run[1])))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt install valgrind)")
    low, high = (int(n) for n in args.calls.split(","))
    print(f"codec: {args.codec}; instructions per create = (I(HIGH) - I(LOW)) / (HIGH - LOW), "
          f"LOW {low}, HIGH {high}, concurrency {CONCURRENCY}")  # fmt: skip
    medians = {}
    for key in args.clients.split(","):
        per_call = []
        for _ in range(args.repeat):
            count = _instructions(key, high, args.codec) - _instructions(key, low, args.codec)
            per_call.append(count / (high - low))
            print(f"  ({key}) {per_call[-1]:9,.0f} instructions per create", flush=True)
        medians[key] = statistics.median(per_call)
    if "a" in medians and "b" in medians:
        print(f"b/a instructions per create (medians): {medians['b'] / medians['a']:.3f}")


if __name__ == "__main__":
    main()
