"""Finding a converter by its dotted path, reloading it after an edit, and letting
converter files written for Suppgram import ``suppgram`` without Suppgram installed."""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import os
import sys
from types import ModuleType
from typing import Any

from suppgram_tui.model import Message, MessageKind, MessageMediaKind

from .base import ConverterLike, ConverterLoadError, MessageConverter, describe_error
from .default import DefaultMessageConverter
from .guard import ConverterFailed, run_guarded

DEFAULT_CONVERTER_PATH = "suppgram.frontends.pubnub.DefaultMessageConverter"
_DEFAULT_CONVERTER_PATHS = frozenset(
    {
        DEFAULT_CONVERTER_PATH,
        "suppgram.frontends.pubnub.converter.DefaultMessageConverter",
        "suppgram_tui.converters.DefaultMessageConverter",
    }
)
_CONVERTER_METHODS = ("convert_from_pubnub", "convert_to_pubnub")
SUPPORT_USER_ATTRIBUTE = "support_user"


def load_converter(path: str, *, support_user: str | None = None) -> ConverterLike:
    """Import and instantiate the converter class at ``path`` ("package.module.Class"),
    and tell it the support user if given (``configure_converter``).

    Suppgram's default converter paths give ours (same bytes, no PubNub import).
    """
    if path in _DEFAULT_CONVERTER_PATHS:
        return DefaultMessageConverter()
    converter = _load(path)
    return converter if support_user is None else configure_converter(
        converter, support_user=support_user)


def configure_converter(converter: ConverterLike, *, support_user: str) -> ConverterLike:
    """Tell an envelope-aware converter who the support user is: when its class declares
    a ``support_user`` attribute, the instance's is set to the console's (its
    ``--pubnub-user-id``), so one converter class serves any support user. The class is
    still built with no arguments."""
    if hasattr(type(converter), SUPPORT_USER_ATTRIBUTE):
        with contextlib.suppress(Exception):  # a read-only (or raising) property
            setattr(converter, SUPPORT_USER_ATTRIBUTE, support_user)
    return converter


def _load(path: str) -> ConverterLike:
    module_name, dot, class_name = path.rpartition(".")
    if not dot or not module_name or not class_name:
        raise ConverterLoadError(
            f"Converter {path!r} is not a dotted path like 'package.module.ClassName'."
        )
    install_suppgram_alias()
    module = _import_module(module_name, path)
    return _instantiate(converter_class(module, class_name, path), path)


def reload_converter(converter: ConverterLike) -> ConverterLike:
    """Re-import the converter's module and make a fresh instance of its class, so an
    edited converter file takes effect without restarting; ``ConverterLoadError`` with
    the reason when it cannot (the module's old globals are then put back). Ctrl+L
    reloads for every side at once: `reloading.reload_for`."""
    from .reloading import reload_for  # it builds on this module

    holder = _OneUser(converter)
    report = reload_for([holder])
    if not report.ok:
        raise ConverterLoadError(report.text)
    return holder.converter


class _OneUser:
    converter_role = "its caller"

    def __init__(self, converter: ConverterLike) -> None:
        self.converter = converter

    def use_converter(self, converter: ConverterLike) -> None:
        self.converter = converter


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
            f"{describe_error(exc)} while being imported."
        ) from exc
    except Exception as exc:
        raise ConverterLoadError(
            f"Cannot load converter {path!r}: module {module_name!r} raised "
            f"{describe_error(exc)} while being imported."
        ) from exc


def converter_class(module: ModuleType, class_name: str, path: str) -> type:
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
    """``cls()``, guarded as every converter call is (raises, hangs), with where."""
    module = sys.modules.get(cls.__module__)
    file = getattr(module, "__file__", None)
    home = frozenset({os.path.abspath(file)}) if isinstance(file, str) else frozenset()
    try:
        return run_guarded(f"creating {cls.__name__}()", cls, home=home)
    except ConverterFailed as failed:
        raise ConverterLoadError(f"Cannot load converter {path!r}: {failed}.") from failed


def drop_cached_bytecode(module: ModuleType) -> None:
    """Python trusts a .pyc whose source has the same size and mtime second, so an edit
    made within a second of the last import would be missed; forget the cache instead."""
    cached = getattr(module, "__cached__", None)
    if isinstance(cached, str):
        with contextlib.suppress(OSError):
            os.unlink(cached)


def _article(obj: Any) -> str:
    name = type(obj).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"
