"""A/B experiments over recommendation strategies: read, create, start, pause and stop them (partners and admins)."""

from typing import Annotated

import strawberry

from app.core.documents import ExperimentStatus
from resolvers.experiments import definitions
from resolvers.pages import MAX_PAGE_SIZE
from schema.arguments import AfterArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.experiments.types import (
    CreateExperimentInput,
    Experiment,
    ExperimentConnection,
    ExperimentPayload,
    ExperimentStatusType,
    connection_of,
    draft_of,
    experiment_of,
)
from schema.permissions import IsPartner

IdArg = Annotated[strawberry.ID, strawberry.argument(description="The experiment's id (its slug).")]
TRANSITIONS = ("DRAFT -> RUNNING <-> PAUSED; RUNNING or PAUSED -> STOPPED, which is final. Any other change is a "
               "CONFLICT payload error, an unknown id NOT_FOUND.")


def strategies(info: Info) -> list[str]:
    """What this server serves: its recommendation service's strategies, or the configured ones without it."""
    service = info.context.recommendations
    return service.strategies() if service is not None else definitions.configured_strategies(info.context.settings)


@strawberry.type(description="Experiment queries (partners and admins).")
class Query:
    @strawberry.field(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        f"The experiments in id order (partners and admins; learners get FORBIDDEN). `first` is 1–{MAX_PAGE_SIZE}."))
    async def experiments(
        self, info: Info,
        status: Annotated[ExperimentStatusType | None, strawberry.argument(  # type: ignore[valid-type]
            description="Only experiments in this status; null for all.")] = None,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1–{MAX_PAGE_SIZE}.")] = 20,
        after: AfterArg = None,
    ) -> ExperimentConnection:
        wanted = None if status is None else ExperimentStatus(status)
        return connection_of(await definitions.experiment_page(wanted, first, after))

    @strawberry.field(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        "An experiment by id (partners and admins; learners get FORBIDDEN); NOT_FOUND when there is none."))
    async def experiment(self, info: Info, id: IdArg) -> Experiment:
        return experiment_of(await definitions.get_experiment(str(id)))


@strawberry.type(description="Experiment changes (partners and admins).")
class Mutation:
    @strawberry.mutation(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        "Create an experiment as a DRAFT: 2–5 variants with unique names, shares above 0 summing to 1, strategies "
        "this server serves, diversity 0–1, first 1–100. Problems come back as BAD_USER_INPUT errors by field; a "
        "taken id is CONFLICT."))
    async def create_experiment(self, info: Info, input: Annotated[CreateExperimentInput, strawberry.argument(
            description="The experiment.")]) -> ExperimentPayload:
        created = await definitions.create_experiment(draft_of(input), strategies(info))
        return ExperimentPayload(experiment=experiment_of(created), errors=[])

    @strawberry.mutation(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        "Start a DRAFT or PAUSED experiment: `auto` recommendations of eligible learners are answered by their "
        "variant from the next request on (other servers within 5 s). Its strategies are checked again "
        f"(BAD_USER_INPUT). {TRANSITIONS}"))
    async def start_experiment(self, info: Info, id: IdArg) -> ExperimentPayload:
        return ExperimentPayload(experiment=experiment_of(
            await definitions.start_experiment(str(id), strategies(info))), errors=[])

    @strawberry.mutation(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        f"Pause a RUNNING experiment: learners get the normal answer until it starts again. {TRANSITIONS}"))
    async def pause_experiment(self, info: Info, id: IdArg) -> ExperimentPayload:
        return ExperimentPayload(experiment=experiment_of(await definitions.pause_experiment(str(id))), errors=[])

    @strawberry.mutation(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        f"Stop a RUNNING or PAUSED experiment for good. {TRANSITIONS}"))
    async def stop_experiment(self, info: Info, id: IdArg) -> ExperimentPayload:
        return ExperimentPayload(experiment=experiment_of(await definitions.stop_experiment(str(id))), errors=[])
