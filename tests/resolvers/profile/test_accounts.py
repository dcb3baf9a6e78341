"""resolvers.profile.accounts: consent-gated imports with provenance per field, never over the learner's own
values, and disconnects that remove exactly what an import set."""

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import ConnectedAccount, Course, Provider, Purpose, User
from app.core.documents.profiles import Provenance
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.profile import preferences
from resolvers.profile.accounts import MAX_PAYLOAD_BYTES, connect_account, connected_accounts, disconnect_account
from tests.resolvers.profile.account_payloads import GITHUB_USER, GOOGLE_USERINFO, LINKEDIN_FULL, LINKEDIN_USERINFO

pytestmark = pytest.mark.usefixtures("clean")
AT = datetime(2026, 3, 1, tzinfo=UTC)
GRANTED = {Purpose.ESSENTIAL, Purpose.THIRD_PARTY_IMPORT}
ESSENTIAL = {Purpose.ESSENTIAL}


@pytest.fixture(autouse=True)
async def catalog(clean: None) -> None:
    await Course.insert_many([
        Course(id="web", title="Web", skills=["TypeScript", "React", "CSS", "Web Accessibility", "Python"]),
        Course(id="data", title="Data", skills=["SQL", "Data Analysis", "Spreadsheets"]),
    ])


async def _connect(provider: str, payload: dict[str, Any], user_id: str = "u1",
                   at: datetime = AT) -> tuple[ConnectedAccount, User]:
    return await connect_account(user_id, provider, copy.deepcopy(payload), GRANTED, now=at)


async def _refused(provider: str, payload: Any, defaults: set[Purpose] = GRANTED) -> UseCaseError:
    with pytest.raises(UseCaseError) as raised:
        await connect_account("u1", provider, payload, defaults)
    return raised.value


async def test_without_consent_nothing_is_imported_or_stored() -> None:
    error = await _refused("github", GITHUB_USER, ESSENTIAL)
    assert error.code == ErrorCode.CONSENT_REQUIRED
    assert await User.get("u1") is None
    assert await ConnectedAccount.count() == 0


async def test_the_learners_withdrawal_beats_the_deployments_default() -> None:
    await User(id="u1", consents={Purpose.THIRD_PARTY_IMPORT.value: False}).insert()
    assert (await _refused("github", GITHUB_USER, GRANTED)).code == ErrorCode.CONSENT_REQUIRED


async def test_the_learners_own_grant_is_enough() -> None:
    await User(id="u1", consents={Purpose.THIRD_PARTY_IMPORT.value: True}).insert()
    account, _ = await connect_account("u1", "google", dict(GOOGLE_USERINFO), ESSENTIAL)
    assert account.provider == Provider.GOOGLE


async def test_github_languages_and_topics_become_catalog_interests_with_provenance() -> None:
    account, user = await _connect("github", GITHUB_USER)
    assert set(user.interests) == {"Web Accessibility", "TypeScript", "React"}  # CSS is 8 % of one repository
    github = Provenance(source="github", at=AT)
    assert user.provenance == {f"interests:{label.casefold()}": github for label in user.interests} | {
        "display_name": github}
    assert user.display_name == "Ben Achterberg"
    assert (account.id, account.external_id, account.connected_at) == ("u1:github", "5829113", AT)
    assert account.imported == {"display_name": "Ben Achterberg", "interests": user.interests}
    skills = {s["name"]: s["catalog_skill"] for s in account.profile["skills"]}
    assert skills["accessibility"] == "Web Accessibility" and skills["datepicker"] is None
    assert account.profile["details"]["login"] == "benach"
    assert await ConnectedAccount.get("u1:github") == account


async def test_linkedin_fills_job_industry_education_languages_and_skills() -> None:
    account, user = await _connect("linkedin", LINKEDIN_FULL)
    assert (user.job_title, user.industry, user.education_level) == ("Logistics Coordinator", "Logistics",
                                                                     "Bachelor's degree")
    assert user.languages == ["pt", "en", "es"]
    assert set(user.interests) == {"SQL", "Data Analysis", "Spreadsheets"}  # Excel means spreadsheets
    assert account.positions[0]["title"] == "Logistics Coordinator"
    assert account.education[0]["school"] == "Universidade do Porto"
    assert {entry.source for entry in user.provenance.values()} == {"linkedin"}


async def test_learner_and_platform_values_are_never_overwritten() -> None:
    await User(id="u1", display_name="Benny", job_title="Teacher", languages=["PT"], interests=["SQL"],
               provenance={"display_name": Provenance(source="learner", at=AT)}).insert()
    account, user = await _connect("linkedin", LINKEDIN_FULL)
    assert (user.display_name, user.job_title, user.industry) == ("Benny", "Teacher", "Logistics")
    assert user.languages == ["PT", "en", "es"]
    assert user.interests[0] == "SQL" and "interests:sql" not in user.provenance
    assert user.provenance["display_name"].source == "learner"
    assert "job_title" not in account.imported and account.imported["languages"] == ["en", "es"]


async def test_connecting_again_replaces_the_earlier_import() -> None:
    await _connect("linkedin", LINKEDIN_FULL)
    moved = copy.deepcopy(LINKEDIN_FULL)
    moved["positions"]["values"][1] |= {"title": "Data Analyst", "isCurrent": True}
    moved["skills"] = {"values": [{"skill": {"name": "Python"}}]}
    later = AT + timedelta(days=30)
    account, user = await _connect("linkedin", moved, at=later)
    assert user.job_title == "Data Analyst"
    assert user.interests == ["Python"]
    assert user.provenance["job_title"] == Provenance(source="linkedin", at=later)
    assert set(user.provenance) == {"display_name", "job_title", "industry", "education_level", "languages:pt",
                                    "languages:en", "languages:es", "interests:python"}
    assert await ConnectedAccount.count() == 1 and account.connected_at == later


async def test_another_provider_does_not_take_over_a_field() -> None:
    await _connect("linkedin", LINKEDIN_USERINFO)
    _, user = await _connect("google", {**GOOGLE_USERINFO, "name": "Someone Else"})
    assert user.display_name == "Ana Ferreira"
    assert user.provenance["display_name"].source == "linkedin"
    assert user.languages == ["pt", "fr"]


async def test_disconnect_removes_exactly_what_the_provider_set() -> None:
    await User(id="u1", interests=["Python"], languages=["de"], city="Porto").insert()
    await _connect("linkedin", LINKEDIN_FULL)
    await _connect("github", GITHUB_USER)
    user = await disconnect_account("u1", "github")
    assert user.display_name == "Ana Ferreira"  # LinkedIn's
    assert set(user.interests) == {"Python", "SQL", "Data Analysis", "Spreadsheets"}
    assert {entry.source for entry in user.provenance.values()} == {"linkedin"}
    assert await ConnectedAccount.get("u1:github") is None
    user = await disconnect_account("u1", "linkedin")
    assert (user.interests, user.languages, user.city, user.job_title) == (["Python"], ["de"], "Porto", None)
    assert (user.provenance, await ConnectedAccount.count()) == ({}, 0)


async def test_disconnect_restores_nothing_another_provider_was_refused() -> None:
    await _connect("github", GITHUB_USER)
    await _connect("google", GOOGLE_USERINFO)  # its name was refused: GitHub's was there
    user = await disconnect_account("u1", "github")
    assert user.display_name is None


async def test_disconnect_keeps_values_changed_since_the_import() -> None:
    await _connect("linkedin", LINKEDIN_FULL)
    await User.get_pymongo_collection().update_one({"_id": "u1"}, {"$set": {"job_title": "Data Analyst"}})
    user = await disconnect_account("u1", "linkedin")
    assert user.job_title == "Data Analyst"
    assert "job_title" not in user.provenance


async def test_interests_the_learner_restated_survive_disconnect() -> None:
    _, imported = await _connect("github", GITHUB_USER)
    await preferences.set_interests("u1", [*imported.interests, "SQL"], now=AT)
    user = await disconnect_account("u1", "github")
    assert set(user.interests) == {*imported.interests, "SQL"}
    assert user.display_name is None


async def test_disconnect_without_an_account_is_not_found() -> None:
    with pytest.raises(UseCaseError) as raised:
        await disconnect_account("u1", "github")
    assert raised.value.code == ErrorCode.NOT_FOUND


async def test_accounts_are_listed_by_provider() -> None:
    await _connect("linkedin", LINKEDIN_USERINFO)
    await _connect("github", GITHUB_USER)
    assert [a.provider for a in await connected_accounts("u1")] == [Provider.GITHUB, Provider.LINKEDIN]


@pytest.mark.parametrize(("provider", "payload", "field"), [
    ("myspace", GITHUB_USER, "provider"),
    ("github", ["not", "an", "object"], "profile"),
    ("github", {"login": "x", "$where": "1"}, "profile"),
    ("github", {"login": "x", "repositories": [{"name": "a", "languages": {"C.Sharp": 1}}]}, "profile"),
    ("github", {"login": "x", "bio": "b" * MAX_PAYLOAD_BYTES}, "profile"),
    ("google", {"name": "No Id"}, "profile"),
])
async def test_bad_input_is_refused_and_nothing_stored(provider: str, payload: Any, field: str) -> None:
    error = await _refused(provider, payload)
    assert [(p.code, p.field) for p in error.problems] == [(ErrorCode.BAD_USER_INPUT, field)]
    assert await User.get("u1") is None and await ConnectedAccount.count() == 0


async def test_payloads_larger_than_other_free_form_objects_are_accepted() -> None:
    big = {**GITHUB_USER, "bio": "b" * 100, "padding": ["x" * 1_000] * 100}  # about 100 KB
    account, _ = await _connect("github", big)
    assert account.external_id == "5829113"


async def test_provider_names_are_case_insensitive() -> None:
    account, _ = await _connect("GitHub", GITHUB_USER)
    assert account.provider == Provider.GITHUB
