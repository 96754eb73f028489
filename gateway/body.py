"""Read a request body with a hard size limit, enforced while it streams in.

A declared ``Content-Length`` over the limit is refused before reading a byte; a chunked
body (no length) is counted chunk by chunk and refused as soon as it passes the limit, so a
sender can never make the gateway buffer more than ``limit`` bytes.
"""

from __future__ import annotations

from starlette.requests import Request

from gateway.errors import BodyTooLarge, RequestRejected

__all__ = ["read_body"]


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
