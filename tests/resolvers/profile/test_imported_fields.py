"""resolvers.profile.imported_fields: filling in imported values and taking back those a provider still owns."""

from datetime import UTC, datetime

import pytest

from app.core.documents import ConnectedAccount, Provider, User
from app.core.documents.profiles import Provenance
from resolvers.profile.imported_fields import ImportDraft, imports_removed

pytestmark = pytest.mark.usefixtures("database")  # User documents need Beanie bound, even unsaved
AT = datetime(2026, 3, 1, tzinfo=UTC)
GITHUB = Provenance(source="github", at=AT)
LEARNER = Provenance(source="learner", at=AT)


def test_apply_fills_empty_scalars_and_adds_missing_items() -> None:
    draft = ImportDraft.of(User(id="u", job_title="Teacher", interests=["SQL"]))
    imported = draft.apply(Provider.GITHUB, {"display_name": "Ben", "job_title": "Dev", "industry": None,
                                             "interests": ["sql", "React", "React"], "languages": []}, AT)
    assert imported == {"display_name": "Ben", "interests": ["React"]}
    assert (draft.values["job_title"], draft.values["interests"]) == ("Teacher", ["SQL", "React"])
    assert draft.provenance == {"display_name": GITHUB, "interests:react": GITHUB}


def test_apply_cuts_values_to_the_fields_limits() -> None:
    draft = ImportDraft.of(User(id="u", interests=[f"s{i}" for i in range(199)]))
    imported = draft.apply(Provider.GITHUB, {"job_title": "x" * 300, "interests": ["a", "b"]}, AT)
    assert len(imported["job_title"]) == 200 and imported["interests"] == ["a"]


def test_changes_are_the_difference_from_the_stored_learner() -> None:
    user = User(id="u", interests=["SQL"], provenance={"goals": LEARNER, "interests:old": GITHUB})
    draft = ImportDraft.of(user)
    draft.strip(Provider.GITHUB, {})
    draft.apply(Provider.GITHUB, {"interests": ["React"]}, AT)
    changes, removed = draft.changes()
    assert changes == {"interests": ["SQL", "React"], "provenance.interests:react": GITHUB.model_dump()}
    assert removed == ["provenance.interests:old"]


def test_strip_keeps_what_others_set_or_changed() -> None:
    user = User(id="u", display_name="Changed", job_title="Dev", interests=["React", "SQL"], languages=["en"],
                provenance={"display_name": GITHUB, "job_title": GITHUB, "interests:react": GITHUB,
                            "interests:sql": LEARNER, "languages:en": Provenance(source="google", at=AT)})
    draft = ImportDraft.of(user)
    draft.strip(Provider.GITHUB, {"display_name": "Ben", "job_title": "Dev"})
    assert (draft.values["display_name"], draft.values["job_title"]) == ("Changed", None)
    assert (draft.values["interests"], draft.values["languages"]) == (["SQL"], ["en"])
    assert set(draft.provenance) == {"interests:sql", "languages:en"}


def test_imports_removed_takes_back_every_account() -> None:
    user = User(id="u", display_name="Ben", languages=["en", "fr"],
                provenance={"display_name": GITHUB, "languages:fr": Provenance(source="google", at=AT)})
    accounts = [ConnectedAccount(id="u:github", user_id="u", provider=Provider.GITHUB,
                                 imported={"display_name": "Ben"}),
                ConnectedAccount(id="u:google", user_id="u", provider=Provider.GOOGLE, imported={"languages": ["fr"]})]
    changes, removed = imports_removed(user, accounts)
    assert changes == {"display_name": None, "languages": ["en"]}
    assert sorted(removed) == ["provenance.display_name", "provenance.languages:fr"]
