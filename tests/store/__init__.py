"""Store conformance: the MongoDB semantics of every query shape Pathwise uses."""
