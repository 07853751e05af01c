"""A presence flood, run as its own process so its client work does not slow the probes.

    python tests/helpers/presence_flood.py ORIGIN SUBKEY WIDE CHANNELS OWN [WIDE_EVERY OWN_EVERY]

WIDE clients each subscribe (handshake, then one long-poll) to the same CHANNELS
channels `c0..` under their own uuid, one every 100 ms, and OWN clients each to a
channel of their own, one every 5 ms meanwhile (a flood, not one synchronized burst: a
burst of N requests keeps any one-threaded server busy for N requests' time, whatever
it indexes).
Every handshake joins its uuid to each of its channels. Prints one JSON
line `{"polls": answered, "errors": n}` when every poll has been answered.
"""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp

WIDE_EVERY, OWN_EVERY = 0.1, 0.005  # seconds between two clients of a kind


async def flood(origin: str, subkey: str, wide: int, channels: int, own: int,
                wide_every: float = WIDE_EVERY, own_every: float = OWN_EVERY) -> dict[str, int]:
    url = f"http://{origin}/v2/subscribe/{subkey}"
    many = ",".join(f"c{j}" for j in range(channels))
    answered = errors = 0
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=timeout) as http:
        async def client(names: str, uuid: str, delay: float = 0.0) -> None:
            nonlocal answered, errors
            await asyncio.sleep(delay)
            try:
                async with http.get(f"{url}/{names}/0", params={"tt": "0", "uuid": uuid}) as r:
                    cursor = (await r.json(content_type=None))["t"]["t"]
                async with http.get(f"{url}/{names}/0",
                                    params={"tt": cursor, "uuid": uuid}) as r:
                    await r.read()
                    answered += r.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError):
                errors += 1

        await asyncio.gather(*(client(many, f"wide-{i}", i * wide_every) for i in range(wide)),
                             *(client(f"own-{i}", f"own-{i}", i * own_every)
                               for i in range(own)))
    return {"polls": answered, "errors": errors}


if __name__ == "__main__":
    origin, subkey, wide, channels, own = sys.argv[1:6]
    pacing = [float(value) for value in sys.argv[6:8]]
    print(json.dumps(asyncio.run(flood(origin, subkey, int(wide), int(channels), int(own),
                                       *pacing))), flush=True)
