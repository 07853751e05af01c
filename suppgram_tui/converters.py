"""Turning PubNub payloads into ``Message`` records and back.

A project's customers' apps speak whatever JSON they speak; a converter class translates.
The default speaks Suppgram's JSON byte for byte, and converters written for Suppgram load
unchanged (see ``install_suppgram_alias``). No PubNub import here: the link builds
``WireMessage`` records for live and history messages alike.
"""

from __future__ import annotations

import abc
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any, Protocol

from suppgram_tui.model import Message, MessageKind, MessageMediaKind

SUPPGRAM_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"
DEFAULT_CONVERTER_PATH = "suppgram.frontends.pubnub.DefaultMessageConverter"
_DEFAULT_CONVERTER_PATHS = frozenset(
    {
        DEFAULT_CONVERTER_PATH,
        "suppgram.frontends.pubnub.converter.DefaultMessageConverter",
        "suppgram_tui.converters.DefaultMessageConverter",
    }
)
_CONVERTER_METHODS = ("convert_from_pubnub", "convert_to_pubnub")


@dataclass(frozen=True)
class WireMessage:
    """A message as PubNub delivered it, with the attributes of the SDK's
    ``PNMessageResult``, so converters written against the SDK read it unchanged."""

    message: Any
    channel: str
    publisher: str | None
    timetoken: int
    user_metadata: Any = None
    subscription: str | None = None


class UndecodableMessage(ValueError):
    """A payload a converter cannot turn into a ``Message``; the text says why, in words,
    so the console can show it next to the raw JSON."""


class ConverterLoadError(Exception):
    """A converter named on the command line could not be loaded; the text is one
    sentence an operator can act on."""


class ConverterLike(Protocol):
    """Anything with the two converter methods: ours, Suppgram's, or a duck."""

    def convert_from_pubnub(self, message: Any) -> Any: ...

    def convert_to_pubnub(self, message: Any) -> Any: ...


class MessageConverter(abc.ABC):
    """Converts a project's PubNub JSON to ``Message`` and back (Suppgram's interface)."""

    @abc.abstractmethod
    def convert_from_pubnub(self, message: WireMessage) -> Message:
        """Decode one received message; raise ``UndecodableMessage`` if it is not one."""

    @abc.abstractmethod
    def convert_to_pubnub(self, message: Message) -> Any:
        """Encode a message as the JSON-able payload to publish."""


class DefaultMessageConverter(MessageConverter):
    """Suppgram's format: ``{"kind": ..., "time": ..., "text": ...}``, in that key order."""

    def convert_from_pubnub(self, message: WireMessage) -> Message:
        payload = message.message
        if not isinstance(payload, dict):
            raise UndecodableMessage(
                f"expected a JSON object with 'kind' and 'time', got {_json_type(payload)}"
            )
        text = payload.get("text")
        if text is not None and not isinstance(text, str):
            raise UndecodableMessage(f"'text' is {_json_type(text)}, not a string")
        return Message(
            kind=_parse_kind(_required_string(payload, "kind")),
            time_utc=_parse_time(_required_string(payload, "time")),
            text=text,
        )

    def convert_to_pubnub(self, message: Message) -> Any:
        message = normalize_message(message)
        if message.image is not None:
            raise ValueError(
                "Suppgram's JSON format cannot carry images; use a custom converter for them"
            )
        return {
            "kind": message.kind.value,
            "time": message.time_utc.strftime(SUPPGRAM_TIME_FORMAT),
            "text": message.text,
        }


def normalize_message(obj: Any) -> Message:
    """Accept our ``Message`` or anything shaped like Suppgram's (kind, time_utc, text,
    optionally image), so converters written for Suppgram work unchanged."""
    if isinstance(obj, Message) and isinstance(obj.text, (str, type(None))) \
            and isinstance(obj.image, (bytes, type(None))):
        return obj  # else a Message built with wrong-typed fields: checked as a look-alike
    try:
        raw_kind, time_utc = obj.kind, obj.time_utc
    except AttributeError as exc:
        raise UndecodableMessage(
            f"the converter returned {type(obj).__name__}, which is not a message "
            f"(it has no {exc.name!r})"
        ) from None
    kind_value = getattr(raw_kind, "value", raw_kind)
    if not isinstance(kind_value, str):
        raise UndecodableMessage(f"message kind {_short(raw_kind)} is not a string")
    if not isinstance(time_utc, datetime):
        raise UndecodableMessage(f"message time {_short(time_utc)} is not a datetime")
    if time_utc.utcoffset() is None:
        raise UndecodableMessage(f"message time {time_utc.isoformat()} has no UTC offset")
    text, image = getattr(obj, "text", None), getattr(obj, "image", None)
    if text is not None and not isinstance(text, str):
        raise UndecodableMessage(f"message text is {type(text).__name__}, not a string")
    if image is not None and not isinstance(image, bytes):
        raise UndecodableMessage(f"message image is {type(image).__name__}, not bytes")
    mime = getattr(obj, "image_mime", None)
    return Message(
        kind=_parse_kind(kind_value),
        time_utc=time_utc,
        text=text,
        image=image,
        image_mime=mime if isinstance(mime, str) else None,
    )


def decode_message(converter: ConverterLike, wire: WireMessage) -> Message:
    """Run a converter on one received message; whatever goes wrong becomes
    ``UndecodableMessage``, so one bad payload or buggy converter never stops the inbox."""
    try:
        result = converter.convert_from_pubnub(wire)
    except UndecodableMessage:
        raise
    except Exception as exc:
        raise UndecodableMessage(f"the converter raised {_describe(exc)}") from exc
    return normalize_message(result)


def load_converter(path: str) -> ConverterLike:
    """Import and instantiate the converter class at ``path`` ("package.module.Class").

    Suppgram's default converter paths give ours (same bytes, no PubNub import).
    """
    if path in _DEFAULT_CONVERTER_PATHS:
        return DefaultMessageConverter()
    module_name, dot, class_name = path.rpartition(".")
    if not dot or not module_name or not class_name:
        raise ConverterLoadError(
            f"Converter {path!r} is not a dotted path like 'package.module.ClassName'."
        )
    install_suppgram_alias()
    module = _import_module(module_name, path)
    return _instantiate(_converter_class(module, class_name, path), path)


def reload_converter(converter: ConverterLike) -> ConverterLike:
    """Re-import the converter's module and make a fresh instance of its class, so an
    edited converter file takes effect without restarting."""
    cls = type(converter)
    path = f"{cls.__module__}.{cls.__name__}"
    if cls.__module__ == __name__:
        return cls()  # reloading this module would fork MessageConverter and friends
    module = sys.modules.get(cls.__module__)
    if module is None:
        raise ConverterLoadError(f"Cannot reload converter {path!r}: its module is not loaded.")
    _drop_cached_bytecode(module)
    importlib.invalidate_caches()
    try:
        module = importlib.reload(module)
    except Exception as exc:
        raise ConverterLoadError(
            f"Cannot reload converter {path!r}: re-importing module {cls.__module__!r} "
            f"raised {_describe(exc)}."
        ) from exc
    return _instantiate(_converter_class(module, cls.__name__, path), path)


class _SuppgramAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the few ``suppgram`` modules a converter imports, backed by ours."""

    _PACKAGES = ("suppgram", "suppgram.frontends", "suppgram.frontends.pubnub")
    _CONVERTERS = {
        "MessageConverter": MessageConverter,
        "DefaultMessageConverter": DefaultMessageConverter,
    }
    _MODULES: dict[str, dict[str, Any]] = {
        "suppgram": {},
        "suppgram.frontends": {},
        "suppgram.entities": {
            "Message": Message,
            "MessageKind": MessageKind,
            "MessageMediaKind": MessageMediaKind,
        },
        "suppgram.frontends.pubnub": _CONVERTERS,
        "suppgram.frontends.pubnub.converter": _CONVERTERS,
    }

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self._MODULES:
            return None
        return importlib.util.spec_from_loader(
            fullname, self, is_package=fullname in self._PACKAGES
        )

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__.update(self._MODULES[module.__name__])


def install_suppgram_alias() -> bool:
    """Let converter files written for Suppgram import ``suppgram.entities`` and
    ``suppgram.frontends.pubnub.converter`` when Suppgram is not installed.

    Does nothing (and returns False) when the real Suppgram is importable. Installed on
    first ``load_converter``, never at import time.
    """
    if any(isinstance(finder, _SuppgramAlias) for finder in sys.meta_path):
        return True
    if "suppgram" in sys.modules or importlib.util.find_spec("suppgram") is not None:
        return False
    sys.meta_path.append(_SuppgramAlias())
    return True


def _import_module(module_name: str, path: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise ConverterLoadError(
                f"Cannot load converter {path!r}: there is no module named {missing!r} "
                "(is it installed, or is its directory on PYTHONPATH?)."
            ) from exc
        raise ConverterLoadError(
            f"Cannot load converter {path!r}: module {module_name!r} raised "
            f"{_describe(exc)} while being imported."
        ) from exc
    except Exception as exc:
        raise ConverterLoadError(
            f"Cannot load converter {path!r}: module {module_name!r} raised "
            f"{_describe(exc)} while being imported."
        ) from exc


def _converter_class(module: ModuleType, class_name: str, path: str) -> type:
    try:
        obj = getattr(module, class_name)
    except AttributeError:
        raise ConverterLoadError(
            f"Cannot load converter {path!r}: module {module.__name__!r} has no "
            f"attribute {class_name!r}."
        ) from None
    if not isinstance(obj, type):
        raise ConverterLoadError(
            f"Cannot load converter {path!r}: {class_name!r} is {_article(obj)}, not a class."
        )
    missing = [name for name in _CONVERTER_METHODS if not callable(getattr(obj, name, None))]
    if missing:
        raise ConverterLoadError(
            f"Cannot load converter {path!r}: class {class_name!r} is not a message converter "
            f"(it has no {' and no '.join(missing)} method)."
        )
    if inspect.isabstract(obj):
        abstract = ", ".join(sorted(getattr(obj, "__abstractmethods__", ())))
        raise ConverterLoadError(
            f"Cannot load converter {path!r}: class {class_name!r} does not implement {abstract}."
        )
    return obj


def _instantiate(cls: type, path: str) -> ConverterLike:
    try:
        return cls()
    except Exception as exc:
        raise ConverterLoadError(
            f"Cannot load converter {path!r}: creating {cls.__name__}() raised {_describe(exc)}."
        ) from exc


def _drop_cached_bytecode(module: ModuleType) -> None:
    """Python trusts a .pyc whose source has the same size and mtime second, so an edit
    made within a second of the last import would be missed; forget the cache instead."""
    cached = getattr(module, "__cached__", None)
    if isinstance(cached, str):
        with contextlib.suppress(OSError):
            os.unlink(cached)


def _required_string(payload: dict[str, Any], key: str) -> str:
    if key not in payload:
        raise UndecodableMessage(f"the message has no {key!r}")
    value = payload[key]
    if not isinstance(value, str):
        raise UndecodableMessage(f"{key!r} is {_json_type(value)}, not a string")
    return value


def _parse_kind(value: str) -> MessageKind:
    try:
        return MessageKind(value)
    except ValueError:
        known = ", ".join(kind.value for kind in MessageKind)
        raise UndecodableMessage(
            f"unknown message kind {_short(value)} (expected one of {known})"
        ) from None


_CANONICAL_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})([+-])(\d\d)(\d\d)")
"""Exactly what Suppgram writes (SUPPGRAM_TIME_FORMAT with six digits and +HHMM)."""


def _parse_time(value: str) -> datetime:
    # strptime is a third of the cost of receiving a message: read the one shape every
    # Suppgram client writes directly, and leave anything else to strptime
    canonical = _CANONICAL_TIME.fullmatch(value)
    if canonical is not None:
        *fields, sign, hours, minutes = canonical.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        with contextlib.suppress(ValueError):
            return datetime(*map(int, fields), tzinfo=timezone(
                -offset if sign == "-" else offset)).astimezone(timezone.utc)
    with contextlib.suppress(ValueError):
        return datetime.strptime(value, SUPPGRAM_TIME_FORMAT).astimezone(timezone.utc)
    if _parses(value, SUPPGRAM_TIME_FORMAT.removesuffix("%z")):
        raise UndecodableMessage(f"'time' {_short(value)} has no UTC offset")
    raise UndecodableMessage(
        f"'time' {_short(value)} is not a timestamp like 2026-11-26T04:00:00.000000+0000"
    )


def _parses(value: str, time_format: str) -> bool:
    try:
        datetime.strptime(value, time_format)
    except ValueError:
        return False
    return True


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _article(obj: Any) -> str:
    name = type(obj).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
