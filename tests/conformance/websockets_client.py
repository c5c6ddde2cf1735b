#!/usr/bin/env python3
"""Debian's python3-websockets as a real WebSocket client of genq's Pusher endpoint.

A second implementation's view of genq's RFC 6455 framing, beside the raw-socket case
table (tests/js/support/ws_conformance_cases.mjs): the opening handshake, a subscribe,
Pusher and WebSocket ping/pong, a fragmented message, an oversized message (1009), a
refused app key (4001) and the closing handshake with its code. Prints one line per
check and ends with "N passed, N failed"; exits non-zero on a failure.

    python3 tests/conformance/websockets_client.py --url ws://127.0.0.1:PORT --key KEY --limit 65536
"""
import argparse
import asyncio
import json
import sys

import websockets

TIMEOUT = 5


async def receive_event(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))


async def open_connection(base, key):
    ws = await websockets.connect(f"{base}/app/{key}?protocol=7&client=python-websockets", open_timeout=TIMEOUT)
    established = await receive_event(ws)
    assert established["event"] == "pusher:connection_established", established
    assert "socket_id" in json.loads(established["data"]), established
    return ws


async def subscribe_and_ping(base, key, _limit):
    ws = await open_connection(base, key)
    await ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "python-websockets"}}))
    answer = await receive_event(ws)
    assert answer == {"event": "pusher_internal:subscription_succeeded", "channel": "python-websockets",
                      "data": "{}"}, answer
    await ws.send(json.dumps({"event": "pusher:ping", "data": {}}))
    assert (await receive_event(ws))["event"] == "pusher:pong"
    await ws.close(1000, "done")
    assert ws.close_code == 1000, ws.close_code


async def websocket_ping(base, key, _limit):
    ws = await open_connection(base, key)
    pong = await ws.ping(b"\x00\x01payload")
    await asyncio.wait_for(pong, TIMEOUT)  # resolved by the pong carrying the same payload
    await ws.close()


async def fragmented_message(base, key, _limit):
    ws = await open_connection(base, key)
    text = json.dumps({"event": "pusher:ping", "data": "κόσμε 🦊"})
    # An iterable is sent as one message in fragments: here a character is split.
    pieces = [text[:5], text[5:30], text[30:]]
    await ws.send(iter(pieces))
    assert (await receive_event(ws))["event"] == "pusher:pong"
    await ws.close(1001, "going away")
    assert ws.close_code == 1001, ws.close_code


async def oversized_message(base, key, limit):
    ws = await open_connection(base, key)
    await ws.send("x" * (limit + 1))
    try:
        await asyncio.wait_for(ws.recv(), TIMEOUT)
        raise AssertionError("the server answered an oversized message")
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 1009, closed


async def unknown_app_key(base, _key, _limit):
    ws = await websockets.connect(f"{base}/app/no-such-key?protocol=7", open_timeout=TIMEOUT)
    error = await receive_event(ws)
    assert error["event"] == "pusher:error" and error["data"]["code"] == 4001, error
    try:
        await asyncio.wait_for(ws.recv(), TIMEOUT)
        raise AssertionError("a message after the error")
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 4001, closed
    await asyncio.wait_for(ws.wait_closed(), TIMEOUT)


async def close_with_reason(base, key, _limit):
    ws = await open_connection(base, key)
    await ws.close(4000, "client reason")
    assert ws.close_code == 4000, ws.close_code
    assert ws.closed


CHECKS = [subscribe_and_ping, websocket_ping, fragmented_message, oversized_message, unknown_app_key,
          close_with_reason]


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="ws://HOST:PORT")
    parser.add_argument("--key", required=True, help="the Pusher app key")
    parser.add_argument("--limit", type=int, required=True, help="the server's --pusher-max-message-bytes")
    args = parser.parse_args()
    passed = failed = 0
    for check in CHECKS:
        try:
            await asyncio.wait_for(check(args.url, args.key, args.limit), 4 * TIMEOUT)
            print(f"ok {check.__name__}")
            passed += 1
        except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
            print(f"FAILED {check.__name__}: {error!r}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
