"""The one rule every id obeys (users, courses, skills, exercises, event ids, a token's `sub`).

An id is a non-empty string of at most `MAX_ID_LENGTH` characters (the documents' existing limit) that does not
start with `$`, neither starts nor ends with whitespace, and holds only printable characters: no control (Cc, NUL
included), format (Cf: bidi overrides, zero-width characters) or surrogate (Cs) code points, and no line or
paragraph separators. Ids end up in `_id`s, in keys such as `"{user_id}:{event_id}"`, in logs and in admin
screens, so an id that is empty, invisible, reorders the text around it or reads as a MongoDB operator is refused
where it enters.
"""

import unicodedata
from typing import Any

MAX_ID_LENGTH = 200
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def id_problem(value: Any, max_length: int = MAX_ID_LENGTH) -> str | None:
    """Why `value` is not a valid id, or None when it is."""
    if not isinstance(value, str):
        return "must be a string"
    if not value:
        return "may not be empty"
    if len(value) > max_length:
        return f"may be at most {max_length} characters long"
    if value.startswith("$"):
        return "may not start with '$'"
    if value != value.strip():
        return "may not start or end with whitespace"
    return _character_problem(value)


def _character_problem(value: str) -> str | None:
    if value.isascii():
        return None if value.isprintable() else "may not contain control characters"
    for char in value:
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            return f"may not contain the character U+{ord(char):04X} ({_KINDS[category]})"
    return None


def plain_id(value: Any) -> Any:
    """An id as given, a whole number (from a JSON or CSV import) as its digits; anything else unchanged."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


_KINDS = {"Cc": "a control character", "Cf": "an invisible format character", "Cs": "a lone surrogate",
          "Zl": "a line separator", "Zp": "a paragraph separator"}
