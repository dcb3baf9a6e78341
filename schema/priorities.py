"""Writes before reads: which GraphQL requests wait at the server's read gate (`TurnGate`, PATHWISE_READS_PER_TURN).

A one-event `trackEvents` call reads the learner and the course, stores the event and folds it in: a few round
trips to the store, each a wait for a turn of the event loop. Under load a turn runs every request that is
ready, and with the gate each turn runs only a few reads, so the write's waits are short (bench/README.md, "Writes
before reads"). A mutation goes straight to execution; any other operation passes the gate first.

The kind is read from the document's text, before it is parsed: the keyword before the operation named by
`operationName`, or the first keyword of the document when none is named. A document that hides its kind from this
reading (a mutation after a fragment, a keyword inside a string) waits as a read: the gate orders work, it refuses
nothing, and what the document means is decided by the parser as before.
"""

import re

_IGNORED = r"(?:[\s,\ufeff]|#[^\n\r]*+)*+"  # GraphQL's ignored tokens (possessive: no backtracking on comments)
_LEADING_MUTATION = re.compile(_IGNORED + r"mutation\b")
_MAX_NAME = 256


def is_write(query: object, operation_name: object) -> bool:
    """Whether the request's operation reads as a mutation. Both come from the request's JSON as sent: anything
    but a string is left for Strawberry to refuse, and waits as a read."""
    if not isinstance(query, str) or not query:
        return False
    if operation_name is not None:
        if not isinstance(operation_name, str) or len(operation_name) > _MAX_NAME or not operation_name.isidentifier():
            return False
        return re.search(r"\bmutation" + _IGNORED + re.escape(operation_name) + r"\b", query) is not None
    return _LEADING_MUTATION.match(query) is not None
