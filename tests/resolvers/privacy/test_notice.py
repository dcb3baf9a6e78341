"""resolvers.privacy.notice: generated from the taxonomy and the documents, so it cannot drift from the code."""

from app.core.documents import PROFILE_FIELDS, Purpose
from app.core.documents.profiles import Insights
from resolvers.event_types import CUSTOM, SPECS
from resolvers.privacy.consents import ConsentPolicy
from resolvers.privacy.data_rights import personal_collections
from resolvers.privacy.notice import ON_WITHDRAWAL, WHY, events_for, privacy_notice

POLICY = ConsentPolicy(version="2026-11", defaults=frozenset({Purpose.ESSENTIAL, Purpose.ANALYTICS}))


def test_every_purpose_says_why_and_what_withdrawing_does() -> None:
    assert set(WHY) == set(Purpose)
    assert set(ON_WITHDRAWAL) == set(Purpose)


def test_every_event_type_of_the_taxonomy_is_listed_once_under_its_purpose() -> None:
    notice = privacy_notice(POLICY, 30)
    listed = [(event.type, purpose.purpose) for purpose in notice.purposes for event in purpose.events]
    expected = [(spec.type, spec.purpose) for spec in [*SPECS.values(), CUSTOM]]
    assert sorted(listed) == sorted(expected)


def test_an_event_is_described_with_its_properties_and_what_it_feeds() -> None:
    search = next(event for event in events_for(Purpose.BEHAVIORAL_TRACKING) if event.type == "search")
    assert search.description == SPECS["search"].description
    assert search.properties == ("query", "result_count")
    assert search.feeds == ("interests",)
    quiz = next(event for event in events_for(Purpose.ESSENTIAL) if event.type == "quiz_answer")
    assert "correct" in quiz.properties


def test_purposes_carry_defaults_retention_and_withdrawal() -> None:
    notice = privacy_notice(POLICY, 30)
    by_purpose = {p.purpose: p for p in notice.purposes}
    assert [p.purpose for p in notice.purposes] == list(Purpose)
    assert {p for p, n in by_purpose.items() if n.granted_by_default} == {Purpose.ESSENTIAL, Purpose.ANALYTICS}
    assert not by_purpose[Purpose.ESSENTIAL].can_withdraw
    assert by_purpose[Purpose.BEHAVIORAL_TRACKING].can_withdraw
    assert "30 days" in by_purpose[Purpose.BEHAVIORAL_TRACKING].retention
    assert "usage patterns" in by_purpose[Purpose.BEHAVIORAL_TRACKING].feeds
    assert "Connected accounts" in by_purpose[Purpose.THIRD_PARTY_IMPORT].stored_data
    assert (notice.policy_version, notice.event_retention_days) == ("2026-11", 30)


def test_stored_data_covers_every_personal_collection_and_the_profile_fields() -> None:
    notice = privacy_notice(POLICY, 395)
    described = {data.collection for data in notice.stored_data}
    assert {name for name, _, _ in personal_collections()} <= described
    by_title = {data.title: data for data in notice.stored_data}
    assert set(PROFILE_FIELDS) <= set(by_title["Profile"].fields)
    assert set(Insights.model_fields) <= set(by_title["Insights"].fields)
    assert "context.device" in by_title["Events"].fields
    assert "395 days" in by_title["Events"].retention
