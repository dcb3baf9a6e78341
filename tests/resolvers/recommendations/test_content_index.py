"""resolvers.recommendations.content_index: the served content index extended by copy, never in place."""

from recommenders.base import Item
from recommenders.content import Content
from resolvers.recommendations.content_index import with_items


def test_nothing_new_to_index_serves_the_same_index() -> None:
    content = Content()
    assert with_items(content, [Item("draft", "Draft", "", published=False)]) is content
