"""resolvers.profile.account_profiles: normalizing LinkedIn, GitHub and Google profiles (pure functions)."""

from typing import Any

import pytest

from app.core.documents import Provider
from resolvers.profile.account_profiles import (
    ImportedSkill,
    normalize,
    normalize_github,
    normalize_google,
    normalize_linkedin,
)
from tests.resolvers.profile.account_payloads import GITHUB_USER, GOOGLE_USERINFO, LINKEDIN_FULL, LINKEDIN_USERINFO


def test_linkedin_userinfo_gives_name_and_language_only() -> None:
    profile = normalize_linkedin(LINKEDIN_USERINFO)
    assert (profile.provider, profile.external_id, profile.display_name) == (Provider.LINKEDIN, "782bbtaQ",
                                                                             "Ana Ferreira")
    assert profile.languages == ["pt"]
    assert (profile.job_title, profile.industry, profile.skills, profile.positions) == (None, None, [], [])
    assert profile.details == {"locale": "pt_PT"}


def test_linkedin_keeps_no_email_or_picture() -> None:
    flat = repr(normalize_linkedin(LINKEDIN_FULL))
    assert "example.com" not in flat and "licdn" not in flat


def test_linkedin_current_position_gives_job_title_and_industry() -> None:
    profile = normalize_linkedin(LINKEDIN_FULL)
    assert (profile.job_title, profile.industry) == ("Logistics Coordinator", "Logistics")
    assert profile.positions == [
        {"title": "Logistics Coordinator", "company": "Atlantic Logistics", "industry": "Logistics",
         "start": "2020-03", "end": None, "current": True},
        {"title": "Shipment Planner", "company": "Porto Freight", "industry": "Transportation",
         "start": "2016-09", "end": "2020-02", "current": False},
    ]
    assert profile.details["headline"] == "Logistics Coordinator moving into data analysis"


def test_linkedin_skills_languages_and_education() -> None:
    profile = normalize_linkedin(LINKEDIN_FULL)
    assert [s.name for s in profile.skills] == ["Microsoft Excel", "SQL", "Supply Chain Management",
                                                "data analysis"]
    assert {s.kind for s in profile.skills} == {"skill"} and {s.weight for s in profile.skills} == {1.0}
    assert profile.languages == ["pt", "en", "es"]
    assert profile.details["other_languages"] == ["Klingon"]
    assert profile.education[0] == {"school": "Universidade do Porto", "degree": "Bachelor of Science",
                                    "field_of_study": "Economics", "start": "2012", "end": "2015"}
    assert profile.education_level == "Bachelor's degree"


def test_linkedin_plain_list_and_localized_shapes() -> None:
    payload = {
        "id": "abc", "localizedFirstName": "Dee", "localizedLastName": "Okoro", "locale": "en_US",
        "positions": [{"title": {"localized": {"en_US": "Data Engineer"}}, "companyName": "Acme",
                       "startDate": {"year": 2023, "month": 1}}],
        "skills": [{"name": "Python"}, "Kubernetes", {"name": {"localized": {"en_US": "Terraform"}}}],
        "languages": [{"name": {"value": "German"}}, {"name": "English"}],
        "educations": [{"school": {"name": "TU Berlin"}, "degreeName": "MSc Computer Science"}],
    }
    profile = normalize_linkedin(payload)
    assert (profile.external_id, profile.display_name, profile.job_title) == ("abc", "Dee Okoro", "Data Engineer")
    assert [s.name for s in profile.skills] == ["Python", "Kubernetes", "Terraform"]
    assert profile.languages == ["en", "de"]
    assert profile.education_level == "Master's degree"


def test_github_skills_from_own_repositories_weighted_by_bytes_and_count() -> None:
    profile = normalize_github(GITHUB_USER)
    assert (profile.provider, profile.external_id, profile.display_name) == (Provider.GITHUB, "5829113",
                                                                             "Ben Achterberg")
    languages = {s.name: s.weight for s in profile.skills if s.kind == "language"}
    # tiny-datepicker counts once, split by bytes; dotfiles is all Shell; the fork and the repo without
    # languages count nothing towards code
    assert set(languages) == {"TypeScript", "Shell", "CSS"}
    assert languages["Shell"] == pytest.approx(0.5)
    assert languages["TypeScript"] == pytest.approx(48213 / 59543 / 2, abs=1e-4)
    assert "HTML" not in languages  # 1.9 % of the code is below the share kept
    assert "JavaScript" not in languages  # only in a fork


def test_github_topics_count_repositories() -> None:
    topics = {s.name: s.weight for s in normalize_github(GITHUB_USER).skills if s.kind == "topic"}
    assert topics == {"accessibility": pytest.approx(2 / 3, abs=1e-4), "checklist": pytest.approx(1 / 3, abs=1e-4),
                      "datepicker": pytest.approx(1 / 3, abs=1e-4), "react": pytest.approx(1 / 3, abs=1e-4),
                      "typescript": pytest.approx(1 / 3, abs=1e-4)}


def test_github_details_without_email_or_avatar() -> None:
    profile = normalize_github(GITHUB_USER)
    assert profile.details == {"login": "benach", "company": "shopfront", "location": "Manchester, UK",
                               "bio": "Front-end developer. Accessibility nerd.", "blog": "https://ben.example.dev",
                               "repositories": 3}
    assert profile.languages == [] and profile.job_title is None


def test_github_main_language_counts_when_bytes_are_missing() -> None:
    payload = {"login": "x", "repositories": [{"name": "a", "language": "Go"}, {"name": "b", "language": "Go"},
                                              {"name": "c", "language": "Rust"}]}
    assert normalize_github(payload).skills == [ImportedSkill("Go", pytest.approx(2 / 3, abs=1e-4), "language"),
                                                ImportedSkill("Rust", pytest.approx(1 / 3, abs=1e-4), "language")]
    assert normalize_github(payload).external_id == "x"


def test_google_userinfo() -> None:
    profile = normalize_google(GOOGLE_USERINFO)
    assert (profile.provider, profile.external_id, profile.display_name) == (Provider.GOOGLE,
                                                                             "110248495921238986420", "Chloé Tremblay")
    assert profile.languages == ["fr"]
    assert profile.details == {"hosted_domain": "clinicsched.example", "locale": "fr-CA", "email_verified": True}
    assert "chloe@" not in repr(profile)


@pytest.mark.parametrize("provider", list(Provider))
@pytest.mark.parametrize("payload", [{}, {"sub": 5, "name": ["x"], "locale": 7, "positions": "none",
                                          "skills": {"values": "x"}, "repositories": [1, "a", None],
                                          "languages": {"a": 1}, "educations": [None],
                                          "positions_": None}, {"positions": [None, 3], "sub": None}])
def test_missing_or_mistyped_fields_are_ignored(provider: Provider, payload: dict[str, Any]) -> None:
    profile = normalize(provider, payload)
    assert profile.external_id is None
    assert (profile.display_name, profile.skills, profile.languages) == (None, [], [])
    assert (profile.positions, profile.education, profile.job_title) == ([], [], None)


def test_long_texts_are_cut() -> None:
    assert len(normalize_google({"sub": "1", "name": "n" * 5_000}).display_name or "") == 500
