"""The whole plugin contract: every hook a Pathwise plugin may implement.

A plugin is a module (or object) with functions decorated by `hookimpl`, found through the
`pathwise.recommenders` entry-point group. The built-in recommenders register through the same hook.
Each hook's docstring is its documentation; a test fails if a hook has none or the README omits it.
"""

import pluggy

from recommenders.base import Recommender

PROJECT = "pathwise"
ENTRY_POINT_GROUP = "pathwise.recommenders"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def pathwise_recommenders() -> list[type[Recommender]]:  # type: ignore[empty-body]
    """Return the recommender classes this plugin provides.

    Each class subclasses `recommenders.base.Recommender` and sets a unique `name` (what
    `PATHWISE_RECOMMENDERS` refers to), a `version` (of its artifact format) and a one-line `description`.
    Two plugins claiming one name stop start-up. Classes are returned, not instances: Pathwise
    constructs them for `pathwise train` and restores them with `load` when serving.
    """
