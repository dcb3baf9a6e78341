"""Request ids and the body cap, as raw ASGI."""

from typing import Any

from starlette.types import Message, Receive, Scope, Send

from app.core.http.middleware import BodyLimitMiddleware, RequestIdMiddleware


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def call(app: Any, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None) -> list[Message]:
    sent: list[Message] = []
    pending = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive() -> Message:
        return pending.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": "http", "headers": headers or []}, receive, send)
    return sent


async def test_streamed_body_over_the_cap_is_413() -> None:
    sent = await call(BodyLimitMiddleware(echo_app, max_bytes=10), [b"12345", b"67890", b"x"])
    assert sent[0]["status"] == 413 and b"PAYLOAD_TOO_LARGE" in sent[1]["body"]


async def test_declared_length_over_the_cap_is_refused_before_reading() -> None:
    sent = await call(BodyLimitMiddleware(echo_app, max_bytes=10), [b""], [(b"content-length", b"11")])
    assert sent[0]["status"] == 413


async def test_body_at_the_cap_passes() -> None:
    sent = await call(BodyLimitMiddleware(echo_app, max_bytes=10), [b"12345", b"67890"])
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"1234567890"


async def test_request_id_is_kept_or_made() -> None:
    kept = await call(RequestIdMiddleware(echo_app), [b""], [(b"x-request-id", b"abc")])
    assert (b"x-request-id", b"abc") in kept[0]["headers"]
    made = dict((await call(RequestIdMiddleware(echo_app), [b""]))[0]["headers"])
    assert len(made[b"x-request-id"]) == 32
