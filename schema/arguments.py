"""Arguments many fields share, each with its description (the permission it implies included)."""

from typing import Annotated

import strawberry

UserIdArg = Annotated[strawberry.ID | None, strawberry.argument(
    description="The learner acted for; default: the caller. Only admins may name another learner (FORBIDDEN).")]
LearnerIdArg = Annotated[strawberry.ID | None, strawberry.argument(
    description="The learner acted for; default: the caller. Partners and admins may name any learner; a "
    "learner naming another is FORBIDDEN.")]
CourseIdArg = Annotated[strawberry.ID, strawberry.argument(description="The course's id in the catalog.")]
AfterArg = Annotated[str | None, strawberry.argument(
    description="A cursor (`pageInfo.endCursor` of the previous page): the page starts after it; null for the "
    "first page.")]
