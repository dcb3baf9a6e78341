"""The root schema: the domains' Query and Mutation types merged, with limits and caches."""

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from app.settings import Settings
from schema.accounts import schema as accounts
from schema.courses import schema as courses
from schema.errors import should_mask_error
from schema.events import schema as events
from schema.learning import schema as learning
from schema.mastery import schema as mastery
from schema.onboarding import schema as onboarding
from schema.paths import schema as paths
from schema.practice import schema as practice
from schema.practice_catalog import schema as practice_catalog
from schema.preferences import schema as preferences
from schema.privacy import schema as privacy
from schema.recommendations import schema as recommendations
from schema.scalars import SCALAR_OVERRIDES
from schema.users import schema as users

Query = merge_types("Query", (users.Query, courses.Query, privacy.Query, onboarding.Query,
                                practice.Query, recommendations.Query, practice_catalog.Query, mastery.Query,
                                paths.Query))
Mutation = merge_types("Mutation", (users.Mutation, courses.Mutation, learning.Mutation, events.Mutation,
                                   privacy.Mutation, onboarding.Mutation, preferences.Mutation, accounts.Mutation,
                                   practice.Mutation, practice_catalog.Mutation, mastery.Mutation))


def build_schema(settings: Settings) -> strawberry.Schema:
    # One depth rule for the schema's life: QueryDepthLimiter makes a new rule class per instance, and the
    # validation cache keys on the rules, so a limiter per request would never let a validation be reused.
    depth_rules = QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: AddValidationRules(depth_rules),
            lambda: ValidationCache(maxsize=256),
            lambda: MaskErrors(should_mask_error=should_mask_error),
        ],
    )
