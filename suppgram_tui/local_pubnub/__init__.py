"""A PubNub-compatible HTTP server for developing and testing PubNub apps.

It speaks the REST protocol of PubNub's SDKs so they work against it unchanged. It is a
development and test stand-in, not a production broker: production is PubNub itself.
It imports nothing from the console, so it can run as its own process.
"""

from .options import ServerOptions
from .persistence import StoreError
from .server import LocalPubNub, LocalServer, serve

__all__ = ["LocalPubNub", "LocalServer", "ServerOptions", "StoreError", "serve"]
