"""Turning PubNub payloads into ``Message`` records and back.

The names a converter author imports live here: the contract (``base``) and what may
go around a payload (``envelope``), Suppgram's own format (``default``), PubNub's Chat
SDK format (``chat_sdk``), loading by dotted path (``loading``), and the round-trip
check that ``check-converter`` and the simulator's workbench share (``checking``). The
default speaks Suppgram's JSON byte for byte, and converters written for Suppgram load
unchanged (see ``install_suppgram_alias``).
"""

from .base import (
    ConverterLike,
    ConverterLoadError,
    IgnoredMessage,
    MessageConverter,
    UndecodableMessage,
    WireMessage,
    decode_message,
    normalize_message,
)
from .chat_sdk import ChatSdkConverter
from .default import SUPPGRAM_TIME_FORMAT, DefaultMessageConverter
from .envelope import OutgoingMessage, encode_message, reply_publication
from .guard import ConverterFailed
from .loading import (
    DEFAULT_CONVERTER_PATH,
    configure_converter,
    install_suppgram_alias,
    load_converter,
    reload_converter,
)

__all__ = [
    "DEFAULT_CONVERTER_PATH", "SUPPGRAM_TIME_FORMAT", "ChatSdkConverter", "ConverterFailed",
    "ConverterLike", "ConverterLoadError", "DefaultMessageConverter", "IgnoredMessage",
    "MessageConverter",
    "OutgoingMessage", "UndecodableMessage", "WireMessage", "configure_converter",
    "decode_message", "encode_message", "install_suppgram_alias", "load_converter",
    "normalize_message", "reload_converter", "reply_publication",
]
