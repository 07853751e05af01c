"""Turning PubNub payloads into ``Message`` records and back.

The names a converter author imports live here: the contract (``base``), Suppgram's own
format (``default``), loading by dotted path (``loading``), and the round-trip check
that ``check-converter`` and the simulator's workbench share (``checking``). The default
speaks Suppgram's JSON byte for byte, and converters written for Suppgram load unchanged
(see ``install_suppgram_alias``).
"""

from .base import (
    ConverterLike,
    ConverterLoadError,
    MessageConverter,
    UndecodableMessage,
    WireMessage,
    decode_message,
    normalize_message,
)
from .default import SUPPGRAM_TIME_FORMAT, DefaultMessageConverter
from .loading import (
    DEFAULT_CONVERTER_PATH,
    install_suppgram_alias,
    load_converter,
    reload_converter,
)

__all__ = [
    "DEFAULT_CONVERTER_PATH", "SUPPGRAM_TIME_FORMAT", "ConverterLike", "ConverterLoadError",
    "DefaultMessageConverter", "MessageConverter", "UndecodableMessage", "WireMessage",
    "decode_message", "install_suppgram_alias", "load_converter", "normalize_message",
    "reload_converter",
]
