"""Tokens never reach the access log."""

import logging

from app.core.http.access_logs import RedactTokens, redact


def test_token_query_parameters_are_redacted() -> None:
    assert redact("/v1/events?token=abc.def.ghi&x=1") == "/v1/events?token=[redacted]&x=1"
    assert redact("/v1/events?x=1&access_token=abc") == "/v1/events?x=1&access_token=[redacted]"
    assert redact("/graphql?query=%7Bme%7D") == "/graphql?query=%7Bme%7D"


def test_the_filter_rewrites_uvicorn_access_records() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "POST", "/v1/events?token=secret", "1.1", 200), None)
    assert RedactTokens().filter(record)
    assert "secret" not in record.getMessage()
