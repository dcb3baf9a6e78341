"""The project's own learner personas: what each says at onboarding and which courses answer it.

Used by the persona test (demo catalog, live server) and `bench/personas.py` (any catalog). A course is
relevant to a persona when its title or skills name one of the persona's subjects (whole words, any case):
a strict judge that reads only what the catalog states, never the recommender's own reasons.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    name: str
    interests: tuple[str, ...]  # wanted taxonomy labels; those the catalog lacks are left out
    goals: tuple[str, ...]
    other: str  # the free-text "Other" answer
    subjects: tuple[str, ...]  # regular expressions (whole words, any case) a relevant course names

    def relevant(self, title: str, skills: list[str]) -> bool:
        text = " | ".join([title, *skills])
        return any(re.search(rf"\b(?:{subject})\b", text, re.IGNORECASE) for subject in self.subjects)


PERSONAS = (
    Persona("data-analyst", ("SQL", "Data Analysis", "Data Visualization"), (),
            "I want to become a data analyst working with SQL and spreadsheets",
            ("sql", "data analy\\w*", "analytics", "data visuali[sz]ation", "visuali[sz]ation", "spreadsheets?",
             "excel", "tableau", "power bi", "databases?", "statistics", "pandas", "business intelligence")),
    Persona("ml-engineer", ("Machine Learning", "Python"), ("Deep Learning",),
            "I want to build and deploy machine learning models and neural networks in Python",
            ("machine learning", "deep learning", "neural networks?", "artificial intelligence", "ai", "python",
             "tensorflow", "pytorch", "scikit-learn", "mlops", "natural language processing", "computer vision",
             "reinforcement learning")),
    Persona("web-developer", ("JavaScript", "Web Development"), ("React",),
            "I want to build websites and web apps for the browser",
            ("javascript", "web development", "web", "html", "css", "react", "typescript", "front[- ]end",
             "responsive design", "node(?:\\.js)?", "angular")),
    Persona("product-lead", ("Product Management", "Agile"), (),
            "I lead a product team and want to plan, prioritise and run agile projects",
            ("product management", "product", "agile", "scrum", "project management", "leadership",
             "prioriti[sz]ation", "kanban", "user research", "product strategy", "stakeholders?")),
)


def choose_labels(wanted: tuple[str, ...], taxonomy: list[str]) -> list[str]:
    """The catalog's spelling of each wanted label it has (any case), in order."""
    by_fold = {label.casefold(): label for label in taxonomy}
    return [by_fold[label.casefold()] for label in wanted if label.casefold() in by_fold]


def precision(persona: Persona, courses: list[tuple[str, list[str]]]) -> float:
    """Share of the (title, skills) courses relevant to the persona."""
    return sum(persona.relevant(title, skills) for title, skills in courses) / len(courses) if courses else 0.0
