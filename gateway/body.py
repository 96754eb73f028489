"""Read a request body: JSON only, with a hard size limit enforced while it streams in.

A declared ``Content-Length`` over the limit is refused before reading a byte; a chunked
body (no length) is counted chunk by chunk and refused as soon as it passes the limit, so a
sender can never make the gateway buffer more than ``limit`` bytes.
"""

from __future__ import annotations

from starlette.requests import Request

from gateway.errors import BodyTooLarge, RequestRejected, UnsupportedMediaType

__all__ = ["read_body", "require_json"]


async def read_body(request: Request, limit: int) -> bytes:
    """Return the raw body of ``request``, at most ``limit`` bytes.

    Raises:
        BodyTooLarge: the declared or streamed body is larger than ``limit``.
        RequestRejected: ``Content-Length`` is not a number.

    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise RequestRejected("the Content-Length header is not a number",
                                  location="header:Content-Length")
        if int(declared) > limit:
            raise BodyTooLarge(f"the body is larger than {limit} bytes", location="body")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(f"the body is larger than {limit} bytes", location="body")
    return bytes(body)


def require_json(request: Request) -> None:
    """Refuse a request whose ``Content-Type`` is not JSON in UTF-8.

    Every sender we accept posts ``application/json``; anything else (a form, text, a
    missing header) is not what it signed for us, so it is refused before the body is read.

    Raises:
        UnsupportedMediaType: the header is missing, names another type, or another charset.

    """
    declared = request.headers.get("content-type")
    if declared is None or not declared.strip():
        raise UnsupportedMediaType("the Content-Type header is missing; send application/json",
                                   location="header:Content-Type")
    media, *parameters = (part.strip().lower() for part in declared.split(";"))
    if media != "application/json":
        raise UnsupportedMediaType("the body must be application/json",
                                   location="header:Content-Type")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise UnsupportedMediaType("the body must be UTF-8 JSON (charset=utf-8)",
                                       location="header:Content-Type")
