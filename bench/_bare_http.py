"""The baseline for bench/server.py: a bare aiohttp server that answers every request with
a publish acknowledgement and does nothing else (no routing, no parsing, no storage).

It prints `{"origin": "127.0.0.1:PORT"}` once listening and stops at EOF on stdin, like
bench/_serve.py, so the same load generators measure both.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from aiohttp import web


async def answer(request: web.Request) -> web.Response:
    return web.Response(text=f'[1,"Sent","{time.time_ns() // 100}"]',
                        content_type="application/json")


async def main() -> None:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"origin": f"127.0.0.1:{runner.addresses[0][1]}"}), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.readline():
        pass
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
