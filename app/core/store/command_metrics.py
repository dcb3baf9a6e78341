"""Database command timings for `/metrics`: a PyMongo command listener on the app's client."""

from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from app.core import metrics


class StoreCommandMetrics(CommandListener):
    """Observes every command's duration by name, and counts failures."""

    def started(self, event: CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: CommandSucceededEvent) -> None:
        metrics.store_command(event.command_name, event.duration_micros / 1e6, failed=False)

    def failed(self, event: CommandFailedEvent) -> None:
        metrics.store_command(event.command_name, event.duration_micros / 1e6, failed=True)
