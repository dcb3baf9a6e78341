"""The root schema: the domains' Query and Mutation types merged, with limits and caches."""

import strawberry
from strawberry.extensions import MaskErrors, ValidationCache
from strawberry.tools import merge_types

from app.core.settings import Settings
from schema.analytics import operations as analytics_operations
from schema.analytics import schema as analytics
from schema.cost import CostModel
from schema.courses import schema as courses
from schema.courses.imports import schema as catalog_imports
from schema.courses.learning import schema as learning
from schema.error_logs import PathwiseSchema
from schema.errors import should_mask_error
from schema.events import schema as events
from schema.events.types import python_names
from schema.execution import ExecutionContext
from schema.experiments import reports as experiment_reports
from schema.experiments import schema as experiments
from schema.input_coercion import install as install_input_coercion
from schema.input_depth import install as install_input_depth_check
from schema.operation_metrics import OperationMetrics
from schema.practice import schema as practice
from schema.practice.catalog import schema as practice_catalog
from schema.practice.mastery import schema as mastery
from schema.practice.paths import schema as paths
from schema.privacy import schema as privacy
from schema.privacy.audit import schema as audit
from schema.profile.accounts import schema as accounts
from schema.profile.onboarding import schema as onboarding
from schema.profile.preferences import schema as preferences
from schema.profile.users import schema as users
from schema.query_limits import QueryLimiter, QueryLimits
from schema.recommendations import schema as recommendations
from schema.recommendations.replay import AnswerReplay, ReplayPlans
from schema.scalars import SCALAR_OVERRIDES
from schema.text_inputs import TextInputCheck

Query = merge_types("Query", (users.Query, courses.Query, privacy.Query, onboarding.Query,
                                practice.Query, recommendations.Query, practice_catalog.Query, mastery.Query,
                                paths.Query, audit.Query, experiments.Query, experiment_reports.Query,
                                analytics.Query, analytics_operations.Query, catalog_imports.Query))
Mutation = merge_types("Mutation", (users.Mutation, courses.Mutation, learning.Mutation, events.Mutation,
                                   privacy.Mutation, onboarding.Mutation, preferences.Mutation, accounts.Mutation,
                                   practice.Mutation, practice_catalog.Mutation, mastery.Mutation,
                                   experiments.Mutation))
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What clients read: learners, the catalog, recommendations, practice, mastery, paths and privacy. Each field "
    "says who may call it and its limits (`first` ≤ 100 and the like). Every request may be at most 10 levels "
    "deep, 2,000 tokens long and cost 25,000 points (by default; `recommendations` and `learningPath` cost 1,000, "
    "a `goal` 5,000 more, `first` multiplies what each item asks for; README, \"Limits\"), else QUERY_TOO_COMPLEX; "
    "a client over its budget of the minute gets HTTP 429 and RATE_LIMITED.")
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What clients change. Each payload returns what it changed (the entity with its `id`, and the learner when "
    "their recommendations depend on it), and expected failures as `errors` with a code.")


def build_schema(settings: Settings) -> strawberry.Schema:
    # Tokens, depth, cost and budgets are checked (and the parse cached) before validation: schema/query_limits.py.
    limits = QueryLimits.from_settings(settings)
    install_input_depth_check()  # graphql-core's walk of each variable, skipped where its type bounds the depth
    install_input_coercion()  # graphql-core's coercion of each variable, prepared once per input type
    replay_plans = ReplayPlans()
    schema = PathwiseSchema(
        query=Query,
        mutation=Mutation,
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=ExecutionContext,  # freed with its request, not by the cycle collector
        extensions=[
            lambda: QueryLimiter(limits, model),
            lambda: ValidationCache(maxsize=256),
            TextInputCheck,
            lambda: MaskErrors(should_mask_error=should_mask_error),
            OperationMetrics,  # /metrics: requests by operation, errors by code
            lambda: AnswerReplay(replay_plans),  # a learner's repeated recommendations query, not executed again
        ],
    )
    python_names(schema._schema)  # events coerced with their Python names: nothing left to rename per event
    model = CostModel(schema._schema)
    return schema
