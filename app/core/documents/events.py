"""Raw learner events as a platform sends them."""

from datetime import datetime
from typing import Any, Protocol

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from app.core.documents.consents import Purpose
from app.core.timestamps import UtcDatetime, utcnow


class EventContext(BaseModel):
    device: str | None = Field(default=None, max_length=50)  # desktop, mobile, tablet, tv, ...
    os: str | None = Field(default=None, max_length=100)
    browser: str | None = Field(default=None, max_length=100)
    screen: str | None = Field(default=None, max_length=50)  # e.g. "390x844"
    locale: str | None = Field(default=None, max_length=35)
    timezone: str | None = Field(default=None, max_length=64)
    network: str | None = Field(default=None, max_length=50)  # wifi, cellular, 4g, offline, ...
    app_version: str | None = Field(default=None, max_length=50)
    country: str | None = Field(default=None, max_length=100)  # coarse location only, when given
    city: str | None = Field(default=None, max_length=200)


class StoredEvent(Protocol):
    """What the updates that follow a stored event read of it (the profile fold, mastery, review cards): an
    `Event` read back, or the plain record ingestion has just written (`resolvers.events.tracking.EventRecord`),
    so that the write path builds no document."""

    @property
    def user_id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def event_id(self) -> str: ...
    @property
    def course_id(self) -> str | None: ...
    @property
    def client_timestamp(self) -> datetime | None: ...
    @property
    def server_timestamp(self) -> datetime: ...
    @property
    def context(self) -> EventContext: ...
    @property
    def properties(self) -> dict[str, Any]: ...


class Event(Document):
    """`_id` is `"{user_id}:{event_id}"`: a client retry with the same event id is a duplicate."""

    id: str  # type: ignore[assignment]
    user_id: str
    type: str
    course_id: str | None = None
    event_id: str
    client_timestamp: UtcDatetime | None = None
    server_timestamp: UtcDatetime = Field(default_factory=utcnow)
    session_id: str | None = None
    purpose: Purpose = Purpose.BEHAVIORAL_TRACKING  # what it was collected for (from the taxonomy)
    context: EventContext = Field(default_factory=EventContext)
    properties: dict[str, Any] = Field(default_factory=dict)

    @staticmethod
    def key(user_id: str, event_id: str) -> str:
        return f"{user_id}:{event_id}"

    class Settings:
        name = "events"
        indexes = [
            IndexModel([("user_id", pymongo.ASCENDING), ("server_timestamp", pymongo.ASCENDING)],
                       name="event_user_time"),
            IndexModel([("course_id", pymongo.ASCENDING)], name="event_course"),
            IndexModel([("type", pymongo.ASCENDING)], name="event_type"),
            IndexModel([("properties.experiment", pymongo.ASCENDING), ("type", pymongo.ASCENDING)],
                       name="event_experiment", partialFilterExpression={"properties.experiment": {"$exists": True}}),
        ]
