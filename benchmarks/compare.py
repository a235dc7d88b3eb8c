"""Creates per second and client CPU: raw aiohttp vs dingtalk-im-async vs the official SDK.

    python benchmarks/compare.py [--rounds 20] [--calls 1000] [--sdk-calls 100] [--stdlib-json]

One run: a certificate authority and a 127.0.0.1 certificate are made, the
project's emulator serves HTTPS with them in a separate process, and each
client trusts the CA through its SSL context. Every round runs each client
once at concurrency 50, back to back (a b c, then c b a) so drift hits all
alike; the summary prints medians over rounds, and b/a and b/c as the median
of per-round ratios, against the targets.
Client CPU is user+sys of this process only (the server has its own).
Exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

CONCURRENCY = 50
DEFAULT_CHART = Path(__file__).resolve().parent.parent / "docs" / "performance.png"


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--calls", type=int, default=1_000, help="creates per round for a and b")
    parser.add_argument(
        "--sdk-calls",
        type=int,
        default=100,
        help="creates per round for c (the SDK is ~100x slower; rates are compared)",
    )
    parser.add_argument("--no-sdk", action="store_true", help="leave out (c)")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--chart", type=Path, default=DEFAULT_CHART, help="PNG to write")
    parser.add_argument("--no-chart", action="store_true", help="skip the matplotlib chart")
    parser.add_argument(
        "--stdlib-json",
        action="store_true",
        help="make dingtalk-im-async use the standard library's json even if orjson is installed",
    )
    return parser.parse_args()


def _codec() -> str:
    try:
        from dingtalk_im_async import _json
    except ImportError:  # a version from before the optional orjson codec
        return "standard library"
    return "orjson" if _json.uses_orjson else "standard library"


def main() -> int:
    args = _parse_args()
    if args.stdlib_json:
        sys.modules["orjson"] = None  # type: ignore[assignment]  # as if the extra were absent
    # Imported only now, so that the switch above decides which codec the client loads.
    from _certs import write_certificates
    from _machine import describe_machine
    from _report import print_summary
    from _rounds import run_rounds
    from _server import emulator_process

    print(describe_machine())
    print(f"dingtalk-im-async JSON codec: {_codec()}")
    with tempfile.TemporaryDirectory() as scratch:
        ca_pem, chain_pem = write_certificates(Path(scratch))
        with emulator_process(chain_pem) as server:
            print(f"emulator over HTTPS at {server.base_url}, in its own process\n")
            contenders = asyncio.run(run_rounds(args, server, ca_pem))
    verdicts = print_summary(contenders, args.concurrency)
    if not args.no_chart:
        from _chart import draw_chart

        draw_chart(
            args.chart,
            [(c.client.label, c.key, c.rounds) for c in contenders],
            concurrency=args.concurrency,
            ratios="   ".join(f"{v.name} {v.value:.2f}" for v in verdicts),
        )
        print(f"\nchart written to {args.chart}")
    return 0 if all(v.met for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
