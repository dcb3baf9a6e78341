"""Sample profiles as a platform receives them from LinkedIn, GitHub and Google sign-in (their public API
shapes; the people and values are made up)."""

from typing import Any

LINKEDIN_USERINFO: dict[str, Any] = {
    "sub": "782bbtaQ",
    "name": "Ana Ferreira",
    "given_name": "Ana",
    "family_name": "Ferreira",
    "picture": "https://media.licdn.example/dms/image/ana.jpg",
    "locale": {"country": "PT", "language": "pt"},
    "email": "ana.ferreira@example.com",
    "email_verified": True,
}

LINKEDIN_FULL: dict[str, Any] = {
    **LINKEDIN_USERINFO,
    "localizedHeadline": "Logistics Coordinator moving into data analysis",
    "positions": {"_total": 2, "values": [
        {"title": "Shipment Planner", "companyName": "Porto Freight", "industry": "Transportation",
         "startDate": {"year": 2016, "month": 9}, "endDate": {"year": 2020, "month": 2}, "isCurrent": False},
        {"title": "Logistics Coordinator", "company": {"name": "Atlantic Logistics", "industry": "Logistics"},
         "startDate": {"year": 2020, "month": 3}, "isCurrent": True},
    ]},
    "skills": {"values": [{"skill": {"name": "Microsoft Excel"}}, {"skill": {"name": "SQL"}},
                          {"skill": {"name": "Supply Chain Management"}}, {"skill": {"name": "data analysis"}}]},
    "languages": {"values": [
        {"language": {"name": "Portuguese"}, "proficiency": {"level": "native_or_bilingual"}},
        {"language": {"name": "English"}, "proficiency": {"level": "full_professional"}},
        {"language": {"name": "Spanish"}},
        {"language": {"name": "Klingon"}},
    ]},
    "educations": {"values": [
        {"schoolName": "Universidade do Porto", "degreeName": "Bachelor of Science", "fieldOfStudy": "Economics",
         "startDate": {"year": 2012}, "endDate": {"year": 2015}},
        {"schoolName": "Escola Secundária", "degreeName": "High School Diploma", "endDate": {"year": 2012}},
    ]},
}

GITHUB_USER: dict[str, Any] = {
    "login": "benach",
    "id": 5829113,
    "node_id": "MDQ6VXNlcjU4MjkxMTM=",
    "avatar_url": "https://avatars.githubusercontent.example/u/5829113",
    "type": "User",
    "name": "Ben Achterberg",
    "company": "@shopfront",
    "blog": "https://ben.example.dev",
    "location": "Manchester, UK",
    "email": None,
    "bio": "Front-end developer. Accessibility nerd.",
    "public_repos": 4,
    "followers": 87,
    "repositories": [
        {"name": "tiny-datepicker", "fork": False, "language": "TypeScript", "stargazers_count": 412,
         "languages": {"TypeScript": 48213, "CSS": 9120, "HTML": 2210},
         "topics": ["datepicker", "accessibility", "react", "typescript"]},
        {"name": "dotfiles", "fork": False, "language": "Shell", "stargazers_count": 3,
         "languages": {"Shell": 5400}, "topics": []},
        {"name": "a11y-checklist", "fork": False, "language": None, "stargazers_count": 58,
         "topics": ["accessibility", "checklist"]},
        {"name": "react", "fork": True, "language": "JavaScript", "stargazers_count": 0,
         "languages": {"JavaScript": 9_000_000}, "topics": ["react", "javascript"]},
    ],
}

GOOGLE_USERINFO: dict[str, Any] = {
    "sub": "110248495921238986420",
    "name": "Chloé Tremblay",
    "given_name": "Chloé",
    "family_name": "Tremblay",
    "picture": "https://lh3.googleusercontent.example/a/chloe",
    "email": "chloe@clinicsched.example",
    "email_verified": True,
    "locale": "fr-CA",
    "hd": "clinicsched.example",
}
