"""Every client from `make_client` times its commands by name and counts the failed ones."""

from typing import Any

import pytest
from prometheus_client import REGISTRY
from pymongo.errors import OperationFailure

from app.core.store.db import make_client


def sample(name: str, command: str) -> float:
    return REGISTRY.get_sample_value(name, {"command": command}) or 0.0


async def test_commands_are_timed_by_name_and_failures_counted(mongo_uri: str) -> None:
    client: Any = make_client(mongo_uri)
    try:
        finds = sample("pathwise_store_command_duration_seconds_count", "find")
        await client["store_metrics_test"]["things"].find_one({"_id": "user-42"})
        assert sample("pathwise_store_command_duration_seconds_count", "find") == finds + 1
        failures = sample("pathwise_store_command_failures_total", "aggregate")
        with pytest.raises(OperationFailure):
            await client["store_metrics_test"]["things"].aggregate([{"$noSuchStage": 1}])
        assert sample("pathwise_store_command_failures_total", "aggregate") == failures + 1
    finally:
        await client.close()
