"""Runs the contenders round after round against one emulator process."""

from __future__ import annotations

import argparse
from pathlib import Path

import aiohttp
from _clients import (
    Client,
    Measurement,
    OfficialSdk,
    RawAiohttp,
    ThisClient,
    client_ssl_context,
    fetch_token,
    measure,
    official_sdk_installed,
)
from _report import print_round
from _server import EmulatorProcess


class Contender:
    """A client, how many calls it makes per round, and what each round measured."""

    def __init__(self, key: str, client: Client, calls: int) -> None:
        self.key = key
        self.client = client
        self.calls = calls
        self.rounds: list[Measurement] = []
        self.server_busy: list[float] = []


async def run_rounds(
    args: argparse.Namespace, server: EmulatorProcess, ca_pem: Path
) -> list[Contender]:
    """Set every client up, warm it up, then measure it once per round."""
    base_url = server.base_url
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=client_ssl_context(ca_pem))
    ) as session:
        token = await fetch_token(session, base_url)
    contenders = [
        Contender("a", RawAiohttp(base_url, ca_pem, token), args.calls),
        Contender("b", ThisClient(base_url, ca_pem), args.calls),
    ]
    if args.no_sdk:
        print("(c) left out (--no-sdk)")
    elif official_sdk_installed():
        contenders.append(Contender("c", OfficialSdk(base_url, ca_pem, token), args.sdk_calls))
    else:
        print("alibabacloud-dingtalk is not installed: (c) skipped (pip install -e '.[bench]')")
    try:
        for contender in contenders:  # warm up: connections, token, code paths
            await measure(contender.client.create, max(contender.calls // 10, 10), args.concurrency)
        for round_number in range(args.rounds):
            # a b c, then c b a: b always sits between the others, each pair back to back.
            order = contenders if round_number % 2 == 0 else contenders[::-1]
            for contender in order:
                server_cpu = server.cpu_seconds()
                result = await measure(contender.client.create, contender.calls, args.concurrency)
                contender.server_busy.append((server.cpu_seconds() - server_cpu) / result.seconds)
                contender.rounds.append(result)
            print_round(round_number + 1, contenders)
    finally:
        for contender in contenders:
            await contender.client.close()
    return contenders
