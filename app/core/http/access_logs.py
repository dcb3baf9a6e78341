"""Access logs without secrets: `?token=` (used by sendBeacon, which cannot set headers) is redacted."""

import logging
import re

_TOKEN = re.compile(r"(?i)([?&](?:token|access_token)=)[^&\s]+")


def redact(path: str) -> str:
    return _TOKEN.sub(r"\1[redacted]", path)


class RedactTokens(logging.Filter):
    """For uvicorn's access logger, whose record args are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], redact(args[2]), args[3], args[4])
        return True


def install() -> None:
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
