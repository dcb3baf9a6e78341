"""Normalizers of the profiles a platform received from LinkedIn, GitHub and Google sign-in, in the
shapes of their public APIs. Pure functions: lenient about missing or mistyped fields, no network."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core.documents import Provider

MIN_LANGUAGE_SHARE = 0.02  # programming languages below this share of a GitHub account's code are left out
MAX_SKILLS = 50
MAX_TEXT = 500

LANGUAGE_CODES = {
    "arabic": "ar", "bengali": "bn", "catalan": "ca", "chinese": "zh", "mandarin": "zh", "czech": "cs",
    "danish": "da", "dutch": "nl", "english": "en", "finnish": "fi", "french": "fr", "german": "de",
    "greek": "el", "hebrew": "he", "hindi": "hi", "hungarian": "hu", "indonesian": "id", "italian": "it",
    "japanese": "ja", "korean": "ko", "malay": "ms", "norwegian": "no", "persian": "fa", "polish": "pl",
    "portuguese": "pt", "romanian": "ro", "russian": "ru", "spanish": "es", "swahili": "sw", "swedish": "sv",
    "tagalog": "tl", "thai": "th", "turkish": "tr", "ukrainian": "uk", "urdu": "ur", "vietnamese": "vi",
}
# Checked in order: the first keyword found in a degree's name gives the level.
DEGREE_LEVELS = (
    (("phd", "ph.d", "doctor", "dphil"), "Doctorate"),
    (("master", "msc", "m.sc", "mba", "m.a.", "meng", "m.eng", "mphil"), "Master's degree"),
    (("bachelor", "bsc", "b.sc", "b.a.", "beng", "b.eng", "licenciatura", "bs ", "ba "), "Bachelor's degree"),
    (("associate",), "Associate degree"),
    (("high school", "secondary", "a-level", "a level", "baccalaureate", "abitur"), "High school"),
)


@dataclass(frozen=True)
class ImportedSkill:
    name: str  # as the provider names it ("Python", "machine-learning")
    weight: float  # 0..1: share of code, share of repositories, or 1 for a listed skill
    kind: str  # "language", "topic" or "skill"


@dataclass(frozen=True)
class NormalizedProfile:
    """What Pathwise takes from a provider's profile (no e-mail address, no avatar)."""

    provider: Provider
    external_id: str | None
    display_name: str | None = None
    job_title: str | None = None
    industry: str | None = None
    education_level: str | None = None
    languages: list[str] = field(default_factory=list)  # ISO 639-1 codes
    skills: list[ImportedSkill] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)  # title, company, industry, start, end, current
    education: list[dict[str, Any]] = field(default_factory=list)  # school, degree, field_of_study, start, end
    details: dict[str, Any] = field(default_factory=dict)  # headline, location, bio, hosted_domain, ...


def normalize(provider: Provider, payload: dict[str, Any]) -> NormalizedProfile:
    return NORMALIZERS[provider](payload)


def normalize_linkedin(payload: dict[str, Any]) -> NormalizedProfile:
    """The OpenID userinfo shape, plus the v2 profile parts when given (headline, positions, skills,
    languages, educations)."""
    positions = sorted((_position(item) for item in _items(payload.get("positions")) if isinstance(item, dict)),
                       key=lambda p: (p["current"], p["start"] or ""), reverse=True)  # current, then newest
    current = next((p for p in positions if p["current"]), None)
    education = [_education(item) for item in _items(payload.get("educations") or payload.get("education"))
                 if isinstance(item, dict)]
    names = [_localized(_get(item, "name") or _get(_get(item, "language"), "name") or item)
             for item in _items(payload.get("languages"))]
    locale = _locale_language(payload.get("locale"))
    return NormalizedProfile(
        provider=Provider.LINKEDIN, external_id=_text(payload.get("sub") or payload.get("id")),
        display_name=_person_name(payload), job_title=current["title"] if current else None,
        industry=(current or {}).get("industry") or _localized(payload.get("localizedIndustry") or
                                                                payload.get("industryName") or payload.get("industry")),
        education_level=_education_level(education),
        languages=_unique([locale, *(_language_code(name) for name in names)]),
        skills=[ImportedSkill(name, 1.0, "skill") for name in _unique(_skill_name(item) for item in
                                                                       _items(payload.get("skills")))][:MAX_SKILLS],
        positions=positions, education=education,
        details=_present(headline=_localized(payload.get("localizedHeadline") or payload.get("headline")),
                         locale=_locale_text(payload.get("locale")),
                         other_languages=[n for n in names if n and _language_code(n) is None] or None),
    )


def normalize_github(payload: dict[str, Any]) -> NormalizedProfile:
    """The /user shape plus `repositories` (name, language, languages in bytes, topics, stargazers_count, fork)."""
    repositories = [repo for repo in _items(payload.get("repositories"))
                    if isinstance(repo, dict) and repo.get("fork") is not True]
    account_id = payload.get("id")
    return NormalizedProfile(
        provider=Provider.GITHUB,
        external_id=str(account_id) if isinstance(account_id, int) else _text(payload.get("login")),
        display_name=_text(payload.get("name")),
        skills=(_code_languages(repositories) + _repository_topics(repositories))[:MAX_SKILLS],
        details=_present(login=_text(payload.get("login")), company=_company(payload.get("company")),
                         location=_text(payload.get("location")), bio=_text(payload.get("bio")),
                         blog=_text(payload.get("blog")), repositories=len(repositories) or None),
    )


def normalize_google(payload: dict[str, Any]) -> NormalizedProfile:
    """The OpenID userinfo shape (sub, name, given_name, family_name, locale, email_verified, hd)."""
    return NormalizedProfile(
        provider=Provider.GOOGLE, external_id=_text(payload.get("sub")), display_name=_person_name(payload),
        languages=_unique([_locale_language(payload.get("locale"))]),
        details=_present(hosted_domain=_text(payload.get("hd")), locale=_locale_text(payload.get("locale")),
                         email_verified=payload.get("email_verified") if isinstance(payload.get("email_verified"),
                                                                                     bool) else None),
    )


NORMALIZERS: dict[Provider, Callable[[dict[str, Any]], NormalizedProfile]] = {
    Provider.LINKEDIN: normalize_linkedin, Provider.GITHUB: normalize_github, Provider.GOOGLE: normalize_google,
}


def _code_languages(repositories: list[dict[str, Any]]) -> list[ImportedSkill]:
    """Each repository counts once, split over its languages by bytes (or all to its main language)."""
    shares: dict[str, float] = defaultdict(float)
    for repo in repositories:
        sizes = {name: float(size) for name, size in (_get(repo, "languages") or {}).items()
                 if isinstance(size, int | float) and size > 0}
        total = sum(sizes.values())
        if total:
            for name, size in sizes.items():
                shares[name] += size / total
        elif main := _text(repo.get("language")):
            shares[main] += 1.0
    overall = sum(shares.values()) or 1.0
    ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
    return [ImportedSkill(name, round(share / overall, 4), "language") for name, share in ranked
            if share / overall >= MIN_LANGUAGE_SHARE]


def _repository_topics(repositories: list[dict[str, Any]]) -> list[ImportedSkill]:
    counts: dict[str, int] = defaultdict(int)
    for repo in repositories:
        for topic in _unique(_text(t) for t in _items(repo.get("topics"))):
            counts[topic.casefold()] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [ImportedSkill(topic, round(count / len(repositories), 4), "topic") for topic, count in ranked]


def _position(item: Any) -> dict[str, Any]:
    company = _get(item, "company")
    end = _date(_get(item, "endDate"))
    return {
        "title": _localized(_get(item, "title")),
        "company": _localized(_get(item, "companyName")) or _localized(_get(company, "name")) or _text(company),
        "industry": _localized(_get(item, "industry")) or _localized(_get(company, "industry")),
        "start": _date(_get(item, "startDate")), "end": end,
        "current": _get(item, "isCurrent") is True or (end is None and _get(item, "isCurrent") is not False),
    }


def _education(item: Any) -> dict[str, Any]:
    school = _get(item, "school")
    return {
        "school": _localized(_get(item, "schoolName")) or _localized(_get(school, "name")) or _text(school),
        "degree": _localized(_get(item, "degreeName")) or _localized(_get(item, "degree")),
        "field_of_study": _localized(_get(item, "fieldOfStudy")),
        "start": _date(_get(item, "startDate")), "end": _date(_get(item, "endDate")),
    }


def _education_level(education: list[dict[str, Any]]) -> str | None:
    """The highest level any degree names."""
    degrees = [f" {entry['degree'].casefold()} " for entry in education if entry["degree"]]
    for keywords, level in DEGREE_LEVELS:
        if any(keyword in degree for degree in degrees for keyword in keywords):
            return level
    return None


def _skill_name(item: Any) -> str | None:
    return _localized(_get(item, "name")) or _localized(_get(_get(item, "skill"), "name")) or _text(item)


def _person_name(payload: dict[str, Any]) -> str | None:
    given = _text(payload.get("given_name")) or _localized(payload.get("localizedFirstName"))
    family = _text(payload.get("family_name")) or _localized(payload.get("localizedLastName"))
    return _text(payload.get("name")) or _text(" ".join(part for part in (given, family) if part))


def _language_code(name: str | None) -> str | None:
    if not name:
        return None
    folded = name.casefold().split(" (")[0].strip()
    if len(folded) == 2 and folded.isalpha():
        return folded
    return LANGUAGE_CODES.get(folded)


def _locale_text(locale: Any) -> str | None:
    if isinstance(locale, dict):
        language, country = _text(locale.get("language")), _text(locale.get("country"))
        return "_".join(part for part in (language, country) if part) or None
    return _text(locale)


def _locale_language(locale: Any) -> str | None:
    """"en_US", "en-GB", "pt" or {"language": "en", "country": "US"} -> "en"."""
    text = _locale_text(locale)
    head = text.replace("-", "_").split("_")[0].casefold() if text else ""
    return head if 2 <= len(head) <= 3 and head.isalpha() else None


def _company(value: Any) -> str | None:
    text = _text(value)
    return (text.lstrip("@") or None) if text else None


def _date(value: Any) -> str | None:
    """{"year": 2019, "month": 3} -> "2019-03"; {"year": 2019} -> "2019"."""
    year, month = _get(value, "year"), _get(value, "month")
    if not isinstance(year, int):
        return None
    return f"{year:04d}-{month:02d}" if isinstance(month, int) and 1 <= month <= 12 else f"{year:04d}"


def _items(value: Any) -> list[Any]:
    """A list, or the `values`/`elements` list LinkedIn wraps collections in."""
    if isinstance(value, dict):
        value = value.get("values", value.get("elements"))
    return value if isinstance(value, list) else []


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _localized(value: Any) -> str | None:
    """A plain string, or LinkedIn's localized forms: {"localized": {"en_US": ...}} or {"value": ...}."""
    if isinstance(value, dict):
        localized = value.get("localized")
        if isinstance(localized, dict) and localized:
            return _text(next(iter(localized.values())))
        return _text(value.get("value"))
    return _text(value)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())[:MAX_TEXT]
    return cleaned or None


def _unique(values: Any) -> list[str]:
    found: dict[str, str] = {}
    for value in values:
        if value:
            found.setdefault(value.casefold(), value)
    return list(found.values())


def _present(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}
