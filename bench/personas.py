"""Persona benchmark: learners who only onboarded, asked for recommendations at once — as `pathwise serve`
runs (background embedding on). Precision@10 of the first answer and of one a few seconds later.

    .venv/bin/python bench/personas.py                       # demo catalog + ../shared/data Coursera catalog
    .venv/bin/python bench/personas.py --no-coursera         # demo catalog only

It starts `pathwise serve` on a fresh data dir (embedded store), runs `pathwise demo`, imports the Coursera
catalog and `pathwise train`s, then onboards each persona (personalization granted) and reads
`recommendations(first: 10)`. Relevance is judged by `tests/personas.py` from titles and skills alone.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.personas import PERSONAS, Persona, choose_labels, precision  # noqa: E402

COURSERA = REPO.parent / "shared" / "data" / "courses" / "coursera_courses.csv"
PATHWISE = str(REPO / ".venv" / "bin" / "pathwise")
RECOMMENDATIONS = """{ recommendations(first: 10) { strategy fallback notPersonalizedReason
  items { source course { title skills } reasons { text } } } }"""


def run(env: dict[str, str], *args: str) -> str:
    started = time.monotonic()
    done = subprocess.run([PATHWISE, *args], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    print(f"  pathwise {' '.join(args)}: {time.monotonic() - started:.1f} s")
    return done.stdout


def gql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]  # type: ignore[no-any-return]


def onboard(client: httpx.Client, persona: Persona, taxonomy: list[str]) -> None:
    gql(client, "mutation { setConsent(purpose: PERSONALIZATION, granted: true) { errors { message } } }")
    answers = {"interests": choose_labels(persona.interests, taxonomy), "goals": choose_labels(persona.goals, taxonomy),
               "other": persona.other}
    found = gql(client, "mutation($a: OnboardingInput!) { submitOnboarding(input: $a) { errors { message } } }",
                {"a": answers})
    assert not found["submitOnboarding"]["errors"], found


def score(persona: Persona, answer: dict[str, Any]) -> str:
    items = answer["items"]
    p = precision(persona, [(item["course"]["title"], item["course"]["skills"]) for item in items])
    sources = {item["source"] for item in items}
    return (f"P@10 {p:.1f}  strategy={answer['strategy']} fallback={answer['fallback']} "
            f"why={answer['notPersonalizedReason']} sources={','.join(sorted(sources))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-coursera", action="store_true", help="the demo catalog only")
    parser.add_argument("--port", type=int, default=8977)
    parser.add_argument("--show", action="store_true", help="print each first answer's titles")
    options = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="pathwise-personas-")
    env = {**os.environ, "PATHWISE_DATA_DIR": data_dir, "HF_HUB_OFFLINE": "1",
           "PATHWISE_ARTIFACT_POLL_SECONDS": "1", "PATHWISE_CATALOG_POLL_SECONDS": "1"}
    with (Path(data_dir) / "server.log").open("wb") as log:
        server = subprocess.Popen([PATHWISE, "serve", "--port", str(options.port)], env=env, cwd=REPO, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{options.port}"
            _wait(base)
            run(env, "demo")
            if not options.no_coursera and COURSERA.exists():
                run(env, "import-courses", str(COURSERA))
                run(env, "train")
            time.sleep(5)  # the server polls for the new artifacts and catalog
            _measure(base, env, options.show)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait(base: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def _measure(base: str, env: dict[str, str], show: bool) -> None:
    for number, persona in enumerate(PERSONAS):
        token = run(env, "token", f"persona-{number}-{persona.name}").strip().splitlines()[-1]
        with httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=60) as client:
            taxonomy = gql(client, "{ taxonomy { skills topics } }")["taxonomy"]
            onboard(client, persona, [*taxonomy["skills"], *taxonomy["topics"]])
            started = time.monotonic()
            first = gql(client, RECOMMENDATIONS)["recommendations"]
            elapsed = (time.monotonic() - started) * 1000
            time.sleep(3)
            later = gql(client, RECOMMENDATIONS)["recommendations"]
            popular = gql(client, RECOMMENDATIONS.replace("(first: 10)", '(first: 10, strategy: "popular")'))
        print(f"{persona.name:14} first ({elapsed:.0f} ms): {score(persona, first)}")
        print(f"{'':14} 3 s later: {score(persona, later)}")
        print(f"{'':14} popular alone (baseline): {score(persona, popular['recommendations'])}")
        if show:
            for item in first["items"]:
                print(f"{'':16}{item['source']:8} {item['course']['title']} | {item['reasons'][0]['text']}")


if __name__ == "__main__":
    main()
