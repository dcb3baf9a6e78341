"""Query cost: prices, list sizes, aliases, fragments measured once, and depth."""

import time

import pytest
from graphql import get_introspection_query, parse

from app.core.settings import Settings
from schema.cost import DEFAULT_LIST_SIZE, FIELD_COSTS, Cost, CostModel
from schema.schema import build_schema


@pytest.fixture(scope="module")
def model() -> CostModel:
    return CostModel(build_schema(Settings())._schema)


def fan_out(levels: int) -> str:
    """Each fragment spreads the next one twice: 2**levels copies of the last one's fields."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ ...F0 } " + " ".join(fragments) + f" fragment F{levels} on Query {{ me {{ id }} }}"


def nested(levels: int) -> str:
    """A query `levels` fields deep: me > enrollments > course > prerequisites... > id."""
    inner = levels - 4
    return "{ me { enrollments { course { " + "prerequisites { " * inner + "id" + " }" * (inner + 3) + " }"


def test_scalars_are_free_and_objects_cost_one(model: CostModel) -> None:
    assert model.measure(parse('{ course(id: "c") { id title } }')) == Cost(total=1, introspection=0, depth=2)


def test_first_multiplies_what_each_item_asks_for(model: CostModel) -> None:
    one = model.measure(parse("{ courses(first: 1) { edges { node { prerequisites { id } } } } }")).total
    fifty = model.measure(parse("{ courses(first: 50) { edges { node { prerequisites { id } } } } }")).total
    assert (one, fifty) == (1 + 3, 1 + 50 * 3)  # edges and node count once per item, not again per edge


def test_first_from_a_variable_from_its_default_or_else_the_largest_page(model: CostModel) -> None:
    query = parse("query($n: Int! = 7) { user(id: \"u\") { recentActivity(first: $n) { course { id } } } }")
    assert model.measure(query, {"n": 3}).total == 1 + 1 + 3 * 1
    assert model.measure(query).total == 1 + 1 + 7 * 1
    unset = parse("query($n: Int!) { user(id: \"u\") { recentActivity(first: $n) { course { id } } } }")
    assert model.measure(unset).total == 1 + 1 + 100 * 1


def test_other_lists_of_objects_count_a_default_size(model: CostModel) -> None:
    assert model.measure(parse("{ me { enrollments { course { id } } } }")).total == 1 + 1 + DEFAULT_LIST_SIZE * 1


def test_costly_fields_and_arguments_have_their_prices(model: CostModel) -> None:
    recommendations = model.measure(parse("{ recommendations(first: 2) { items { score } } }")).total
    assert recommendations == FIELD_COSTS["Query.recommendations"] + 2 * 1
    by_skills = model.measure(parse('{ learningPath(goalSkills: ["python"]) { totalMinutes } }')).total
    by_goal = model.measure(parse('{ learningPath(goal: "data science") { totalMinutes } }')).total
    assert (by_skills, by_goal) == (1_000, 6_000)
    search = model.measure(parse('{ courses(search: "python", first: 1) { totalCount } }')).total
    assert search == 1 + 200


def test_each_alias_counts(model: CostModel) -> None:
    aliases = " ".join(f'a{i}: learningPath(goal: "data science") {{ totalMinutes }}' for i in range(100))
    assert model.measure(parse("{" + aliases + "}")).total == 600_000


def test_a_fragment_fan_out_is_priced_in_full_and_measured_in_linear_time(model: CostModel) -> None:
    document = parse(fan_out(20))
    started = time.perf_counter()
    cost = model.measure(document)
    elapsed = time.perf_counter() - started
    assert cost.total == 2**20
    assert elapsed < 0.5  # 0.3 ms here; the fan-out itself ran 14.5 s before


def test_cyclic_and_unknown_fragments_cost_nothing_and_validation_refuses_them(model: CostModel) -> None:
    cyclic = parse("{ ...A ...Missing } fragment A on Query { me { id } ...B } fragment B on Query { ...A }")
    assert model.measure(cyclic).total == 1


def test_depth_counts_fields_not_introspection(model: CostModel) -> None:
    assert model.measure(parse(nested(11))).depth == 11
    assert model.measure(parse(nested(10))).depth == 10
    assert model.measure(parse(get_introspection_query(descriptions=True))).depth == 0


def test_introspection_is_priced_by_this_schema_s_sizes(model: CostModel) -> None:
    full = model.measure(parse(get_introspection_query(descriptions=True)))
    assert full.total == full.introspection > 10_000
    small = model.measure(parse("{ __schema { types { name fields { name } } } }"))
    assert small.introspection == 1_000 + 1 + model.introspection_sizes["__Schema.types"] * 1  # `fields` each


def test_the_costliest_operation_of_a_document_counts(model: CostModel) -> None:
    document = parse('query A { me { id } } query B { recommendations { requestId } }')
    assert model.measure(document).total == FIELD_COSTS["Query.recommendations"]
