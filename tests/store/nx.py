"""Helpers of the store-conformance suite.

Every assertion states real MongoDB behaviour. Where the embedded store (nx-27017) diverges, the test is
marked with `nx_diverges(...)`: a strict xfail on the embedded store only, a plain test against the server
named by PATHWISE_TEST_MONGODB_URI.
"""

import os

import pytest

ON_EMBEDDED_STORE = not os.environ.get("PATHWISE_TEST_MONGODB_URI")


def nx_diverges(reason: str) -> pytest.MarkDecorator:
    """Strict xfail on the embedded store (it must still fail there); no effect on a real MongoDB."""
    return pytest.mark.xfail(ON_EMBEDDED_STORE, reason=f"nx-27017 diverges from MongoDB: {reason}", strict=True)
