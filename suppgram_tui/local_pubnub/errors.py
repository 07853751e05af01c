"""PubNub's error bodies, one family per service, raised as exceptions by handlers.

Handlers raise `PubNubError`; the app turns it into the response. Every body is JSON,
because the SDK crashes on a non-JSON body (reference §0.3).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .clock import now_ticks

JS_CONTENT_TYPE = 'text/javascript; charset="UTF-8"'


def json_response(
    body: Any,
    status: int = 200,
    *,
    content_type: str = JS_CONTENT_TYPE,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A response with PubNub's content type; compact JSON like PubNub's own.

    A lone surrogate (JSON lets a publisher send `"\\ud800"`) has no UTF-8 form, so such a
    body keeps its `\\u` escapes; failing instead would fail every later poll that
    reaches that message, and history of its channel, for good.
    """
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(body, separators=(",", ":")).encode("ascii")
    response = web.Response(body=data, status=status, headers=headers)
    response.headers["Content-Type"] = content_type
    return response


class PubNubError(Exception):
    """An error the client should see, already in the shape its service uses."""

    def __init__(self, status: int, body: Any, *, headers: dict[str, str] | None = None,
                 content_type: str = JS_CONTENT_TYPE) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers
        self.content_type = content_type

    def response(self) -> web.Response:
        return json_response(self.body, self.status, headers=self.headers,
                             content_type=self.content_type)


def publish_error(status: int, message: str, timetoken: int) -> PubNubError:
    """Publish and signal errors: `[0, "Message Too Large", "<tt>"]`."""
    return PubNubError(status, [0, message, str(timetoken)])


def service_error(status: int, message: str, service: str) -> PubNubError:
    """The flat error body of v1/v2 services (channel registry, presence)."""
    return PubNubError(status, {"status": status, "message": message, "service": service,
                                "error": True})


def history_error(status: int, message: str) -> PubNubError:
    """Fetch and message-count errors."""
    return PubNubError(status, {"status": status, "error": True, "error_message": message,
                                "channels": {}})


def access_error(status: int, message: str, *, payload: dict[str, Any] | None = None,
                 cause: str = "9999") -> PubNubError:
    """Access Manager's flat body: forbidden, invalid keys, bad signature."""
    body: dict[str, Any] = {"message": message, "error": True, "service": "Access Manager",
                            "status": status}
    if payload is not None:
        body["payload"] = payload
    return PubNubError(status, body, headers={"X-Pn-Cause": cause})


def nested_error(status: int, message: str, source: str,
                 details: list[dict[str, str]] | None = None,
                 service: str | None = None) -> PubNubError:
    """The nested body of App Context and Access Manager v3."""
    error: dict[str, Any] = {"message": message, "source": source}
    if details:
        error["details"] = details
    body: dict[str, Any] = {"status": status, "error": error}
    if service:
        body["service"] = service
    return PubNubError(status, body, content_type="application/json")


def invalid_data(source: str, location: str, problem: str,
                 location_type: str = "body") -> PubNubError:
    """App Context's and message actions' 400: which field, and what is wrong with it."""
    return nested_error(400, "Invalid request data.", source, [
        {"message": problem, "location": location, "locationType": location_type}])


# One query parameter that cannot be read, in each family's shape ------------------

BadParam = Callable[[str, str], PubNubError]
"""A service's 400 for one query parameter: (its name, what is wrong: "must be …")."""


def publish_bad_param(name: str, problem: str) -> PubNubError:
    return publish_error(400, f"Invalid {name}: {problem}", now_ticks())


def history_bad_param(name: str, problem: str) -> PubNubError:
    return history_error(400, f"Invalid Arguments: {name}")


def service_bad_param(service: str) -> BadParam:
    """For the flat-body services (presence, subscribe, channel registry)."""
    def bad(name: str, problem: str) -> PubNubError:
        return service_error(400, f"Invalid {name}: {problem}", service)
    return bad


def nested_bad_param(source: str, location_type: str = "query") -> BadParam:
    """For App Context and message actions; `location_type` "path" for path segments."""
    def bad(name: str, problem: str) -> PubNubError:
        return invalid_data(source, name, problem, location_type)
    return bad


# Every error of one service, for checks made once for every route ----------------


@dataclass(frozen=True)
class ErrorShape:
    """How one service's errors look, so a check the server makes for every route (the
    length of `uuid`, a storage failure) answers in the shape that route's SDK reads."""

    error: Callable[[int, str], PubNubError]
    """Any status with a message."""
    bad_param: BadParam
    """A 400 for one parameter."""


def _flat(service: str) -> Callable[[int, str], PubNubError]:
    def error(status: int, message: str) -> PubNubError:
        return service_error(status, message, service)
    return error


def _nested(source: str) -> Callable[[int, str], PubNubError]:
    def error(status: int, message: str) -> PubNubError:
        return nested_error(status, message, source)
    return error


PUBLISH_ERRORS = ErrorShape(lambda status, message: publish_error(status, message, now_ticks()),
                            publish_bad_param)
HISTORY_ERRORS = ErrorShape(history_error, history_bad_param)
LOCAL_ERRORS = ErrorShape(_flat("local-pubnub"), service_bad_param("local-pubnub"))
"""Routes of no PubNub service family (time, grants): the server's own flat body."""


def service_errors(service: str) -> ErrorShape:
    """The flat-body services: presence, subscribe, channel registry."""
    return ErrorShape(_flat(service), service_bad_param(service))


def nested_errors(source: str) -> ErrorShape:
    """App Context and message actions."""
    return ErrorShape(_nested(source), nested_bad_param(source))
