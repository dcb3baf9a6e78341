"""The profile values connected accounts imported: filling them in, and taking back exactly those a
provider still owns (by provenance). Used on connect, on disconnect, and when consent is withdrawn."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.documents import ConnectedAccount, Provider, User
from app.core.documents.profiles import Provenance
from resolvers.profile.writes import item_key

SCALAR_FIELDS = {"display_name": 200, "job_title": 200, "industry": 200, "education_level": 100}  # -> max length
LIST_FIELDS = {"languages": 50, "interests": 200}  # -> max items


def imports_removed(user: User, accounts: list[ConnectedAccount]) -> tuple[dict[str, Any], list[str]]:
    """The `$set` and `$unset` paths that take back what the accounts imported and their providers still own."""
    draft = ImportDraft.of(user)
    for account in accounts:
        draft.strip(account.provider, account.imported)
    return draft.changes()


@dataclass
class ImportDraft:
    """The learner's importable fields and provenance, changed in memory, then written as one update."""

    original: User
    values: dict[str, Any]
    provenance: dict[str, Provenance]

    @classmethod
    def of(cls, user: User) -> "ImportDraft":
        values = {name: getattr(user, name) for name in SCALAR_FIELDS} | {
            name: list(getattr(user, name)) for name in LIST_FIELDS}
        return cls(user, values, dict(user.provenance))

    def strip(self, provider: Provider, imported: dict[str, Any]) -> None:
        """Take out what the provider set: scalars still holding its value, and items it added."""
        for name in SCALAR_FIELDS:
            if self._owned(name, provider):
                if self.values[name] == imported.get(name):
                    self.values[name] = None
                del self.provenance[name]
        for name in LIST_FIELDS:
            owned = {key for key in self.provenance if key.startswith(f"{name}:") and self._owned(key, provider)}
            self.values[name] = [item for item in self.values[name] if item_key(name, item) not in owned]
            for key in owned:
                del self.provenance[key]

    def apply(self, provider: Provider, offered: dict[str, Any], at: datetime) -> dict[str, Any]:
        """Fill empty scalars and add missing list items from `offered`; returns what was set."""
        entry, imported = Provenance(source=provider.value, at=at), {}
        for name, limit in SCALAR_FIELDS.items():
            value = offered.get(name)
            if value and not self.values[name]:
                self.values[name] = imported[name] = value[:limit]
                self.provenance[name] = entry
        for name, limit in LIST_FIELDS.items():
            present = {item.casefold() for item in self.values[name]}
            added = [item for item in dict.fromkeys(offered.get(name) or []) if item.casefold() not in present]
            added = added[: max(0, limit - len(self.values[name]))]
            self.values[name] += added
            self.provenance |= {item_key(name, item): entry for item in added}
            if added:
                imported[name] = added
        return imported

    def changes(self) -> tuple[dict[str, Any], list[str]]:
        """The `$set` paths and the `$unset` paths that turn the stored learner into this draft."""
        changes = {name: value for name, value in self.values.items() if value != getattr(self.original, name)}
        changes |= {f"provenance.{key}": entry.model_dump() for key, entry in self.provenance.items()
                    if self.original.provenance.get(key) != entry}
        return changes, [f"provenance.{key}" for key in self.original.provenance if key not in self.provenance]

    def _owned(self, key: str, provider: Provider) -> bool:
        entry = self.provenance.get(key)
        return entry is not None and entry.source == provider.value
