"""HTTP plumbing below the schema: middleware, request ids, request metrics, rate limits, access logs, the /metrics
endpoint."""
