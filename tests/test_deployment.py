"""The compose files, read rather than run (no Docker engine runs them here; README, "Production: replica set and
several replicas"). docker-compose.production.yml: three MongoDB members of one replica set and the service that
initiates it; two or more Pathwise replicas on it, sharing one data volume, with no default secret; nginx balancing
every replica; the training job. docker-compose.yml still parses and keeps its health checks. Each check returns
its problems, so the tests below also show it finds them in a broken copy."""

import copy
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from app.core.documents import DOCUMENT_MODELS
from app.core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = ROOT / "docker-compose.production.yml"
SIMPLE = ROOT / "docker-compose.yml"
MEMBERS = ("mongo1", "mongo2", "mongo3")
REPLICA_SET = "rs0"
SECRETS = ("PATHWISE_JWT_SECRET", "PATHWISE_ENCRYPTION_KEYS")
IMAGE_DATA_DIR = "/var/lib/pathwise"  # the Dockerfile's PATHWISE_DATA_DIR
IMAGE_PORT = "8000"  # the Dockerfile's PATHWISE_PORT
Compose = dict[str, Any]


def load(path: Path) -> Compose:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{path.name} is not a YAML mapping"
    return loaded


# --- reading services ------------------------------------------------------------------------------------------
def _services(compose: Compose) -> dict[str, dict[str, Any]]:
    return dict(compose.get("services") or {})


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    given = service.get("environment") or {}
    if isinstance(given, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in given)
    return {str(key): "" if value is None else str(value) for key, value in given.items()}


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Service name -> condition (`service_started` for the list form)."""
    given = service.get("depends_on") or {}
    if isinstance(given, list):
        return dict.fromkeys(given, "service_started")
    return {name: (how or {}).get("condition", "service_started") for name, how in given.items()}


def _named_volumes(service: dict[str, Any]) -> dict[str, str]:
    """Mount target -> named volume (bind mounts left out)."""
    found = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, _, rest = volume.partition(":")
            target = rest.split(":")[0]
        else:
            if volume.get("type", "volume") != "volume":
                continue
            source, target = volume.get("source", ""), volume.get("target", "")
        if source and target and not source.startswith(("/", ".", "~", "$")):
            found[target] = source
    return found


def _config_texts(compose: Compose, service: dict[str, Any]) -> dict[str, str]:
    """Mount target -> the inline content of each config the service mounts."""
    declared = compose.get("configs") or {}
    texts = {}
    for config in service.get("configs") or []:
        source, target = (config, f"/{config}") if isinstance(config, str) else (config["source"], config["target"])
        texts[target] = str((declared.get(source) or {}).get("content", ""))
    return texts


def _healthcheck_problems(name: str, service: dict[str, Any], must_mention: str = "") -> list[str]:
    check = service.get("healthcheck") or {}
    test = check.get("test")
    if not test or check.get("disable") or test in (["NONE"], "NONE"):
        return [f"{name} has no health check"]
    if must_mention and must_mention not in " ".join(test if isinstance(test, list) else [test]):
        return [f"{name}'s health check does not ask {must_mention}"]
    return []


def pathwise_servers(compose: Compose) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in _services(compose).items() if _command(s)[:2] == ["pathwise", "serve"]}


def mongo_members(compose: Compose) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in _services(compose).items()
            if str(s.get("image", "")).startswith("mongo:") and "--replSet" in _command(s)}


def init_services(compose: Compose) -> dict[str, dict[str, Any]]:
    """The one-off services that run mongosh against the members (the replica set's init)."""
    members = mongo_members(compose)
    return {name: s for name, s in _services(compose).items() if name not in members
            and str(s.get("image", "")).startswith("mongo:") and "mongosh" in _command(s)}


def _mongodb_uri(service: dict[str, Any]) -> str:
    return _environment(service).get("PATHWISE_MONGODB_URI", "")


def _data_dir(service: dict[str, Any]) -> str:
    return _environment(service).get("PATHWISE_DATA_DIR", IMAGE_DATA_DIR)


# --- reading nginx's configuration ----------------------------------------------------------------------------
@dataclass
class Directive:
    name: str
    args: list[str]
    children: list["Directive"] = field(default_factory=list)


_NGINX_TOKEN = re.compile(r"""\s+|#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)""")


def _nginx_tokens(text: str) -> list[tuple[str, bool]]:
    """(token, is it `{`, `}` or `;`) in order; quotes and comments removed."""
    tokens, position = [], 0
    while position < len(text):
        found = _NGINX_TOKEN.match(text, position)
        if found is None:
            raise ValueError(f"nginx config: cannot read {text[position:position + 30]!r}")
        position = found.end()
        quoted = found.group(1) if found.group(1) is not None else found.group(2)
        if quoted is not None:
            tokens.append((quoted, False))
        elif found.group(3) or found.group(4):
            tokens.append((found.group(3) or found.group(4), bool(found.group(3))))
    return tokens


def parse_nginx(text: str) -> list[Directive]:
    return _nginx_block(_nginx_tokens(text), 0, nested=False)[0]


def _nginx_block(tokens: list[tuple[str, bool]], start: int, nested: bool) -> tuple[list[Directive], int]:
    directives: list[Directive] = []
    words: list[str] = []
    position = start
    while position < len(tokens):
        token, syntax = tokens[position]
        position += 1
        if not syntax:
            words.append(token)
        elif token == "}":
            if words or not nested:
                raise ValueError(f"nginx config: unexpected '}}' after {words}")
            return directives, position
        elif not words:
            raise ValueError(f"nginx config: {token!r} without a directive")
        elif token == ";":
            directives.append(Directive(words[0], words[1:]))
            words = []
        else:
            block, position = _nginx_block(tokens, position, nested=True)
            directives.append(Directive(words[0], words[1:], block))
            words = []
    if nested or words:
        raise ValueError("nginx config: unterminated block or directive")
    return directives, position


def _walk(directives: list[Directive]) -> Iterator[Directive]:
    for directive in directives:
        yield directive
        yield from _walk(directive.children)


def _nginx_size(text: str) -> int:
    units = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
    unit = text[-1].lower()
    return int(text[:-1]) * units[unit] if unit in units else int(text)


def proxy(compose: Compose) -> tuple[str, dict[str, Any]] | None:
    found = [(name, s) for name, s in _services(compose).items() if str(s.get("image", "")).startswith("nginx:")]
    return found[0] if len(found) == 1 else None


def nginx_config(compose: Compose) -> str:
    """The proxy's inline nginx configuration as nginx reads it (Compose turns `$$` into `$`)."""
    found = proxy(compose)
    if found is None:
        return ""
    texts = _config_texts(compose, found[1])
    return "\n".join(text for target, text in texts.items() if target.startswith("/etc/nginx/")).replace("$$", "$")


# --- the checks ---------------------------------------------------------------------------------------------
def reference_problems(compose: Compose) -> list[str]:
    """Every named volume and config a service uses is declared; every `depends_on` names a service."""
    services = _services(compose)
    volumes, configs = set(compose.get("volumes") or {}), set(compose.get("configs") or {})
    problems = []
    for name, service in services.items():
        problems += [f"{name} uses volume {v!r}, not declared" for v in _named_volumes(service).values()
                     if v not in volumes]
        problems += [f"{name} depends on {other!r}, not a service" for other in _depends_on(service)
                     if other not in services]
        used = [c if isinstance(c, str) else c.get("source") for c in service.get("configs") or []]
        problems += [f"{name} uses config {c!r}, not declared" for c in used if c not in configs]
    return problems


def member_problems(compose: Compose) -> list[str]:
    """mongo1..3: MongoDB 8.0, one replica set, every address, a health check, a volume of its own each."""
    members, problems = mongo_members(compose), []
    problems += [f"{name} is not a replica set member (--replSet)" for name in MEMBERS if name not in members]
    seen: dict[str, str] = {}
    for name, service in members.items():
        command = _command(service)
        if command[command.index("--replSet") + 1:][:1] != [REPLICA_SET]:
            problems.append(f"{name} is not in replica set {REPLICA_SET}")
        if "--bind_ip_all" not in command:
            problems.append(f"{name} listens on localhost only (no --bind_ip_all)")
        if service.get("image") != "mongo:8.0":
            problems.append(f"{name} runs {service.get('image')}, not mongo:8.0")
        problems += _healthcheck_problems(name, service)
        volume = _named_volumes(service).get("/data/db")
        if volume is None:
            problems.append(f"{name} keeps /data/db in no named volume")
        elif volume in seen:
            problems.append(f"{name} shares volume {volume!r} with {seen[volume]}")
        else:
            seen[volume] = name
    return problems


def init_problems(compose: Compose) -> list[str]:
    """A one-off service initiates the replica set with every member once healthy, and only if not yet done."""
    members, inits = mongo_members(compose), init_services(compose)
    if len(inits) != 1:
        return [f"expected one replica set init service, found {sorted(inits)}"]
    name, service = next(iter(inits.items()))
    script = " ".join(_command(service)) + "\n" + "\n".join(_config_texts(compose, service).values())
    problems = [f"{name} does not wait for {member} to be healthy" for member in members
                if _depends_on(service).get(member) != "service_healthy"]
    if "rs.initiate" not in script or f'"{REPLICA_SET}"' not in script:
        problems.append(f"{name} does not run rs.initiate for {REPLICA_SET}")
    problems += [f"{name} leaves {member} out of the replica set" for member in members
                 if f"{member}:27017" not in script]
    if "NotYetInitialized" not in script:
        problems.append(f"{name} initiates without checking it was done before (not idempotent)")
    if service.get("restart") not in (None, "no"):
        problems.append(f"{name} is restarted (restart: {service.get('restart')})")
    return problems


def uri_problems(name: str, uri: str) -> list[str]:
    """The replica set's URI: every member, the set's name, majority writes, reads from the primary."""
    parts = urlsplit(uri)
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    problems = []
    if parts.scheme != "mongodb" or sorted(parts.netloc.split(",")) != [f"{m}:27017" for m in MEMBERS]:
        problems.append(f"{name}'s PATHWISE_MONGODB_URI does not list {', '.join(MEMBERS)}: {uri!r}")
    if options.get("replicaSet") != REPLICA_SET:
        problems.append(f"{name}'s PATHWISE_MONGODB_URI has no replicaSet={REPLICA_SET}")
    if options.get("w") != "majority":
        problems.append(f"{name}'s PATHWISE_MONGODB_URI does not ask w=majority")
    if options.get("readPreference", "primary") != "primary":
        problems.append(f"{name} reads from secondaries: learners' reads must see their writes")
    return problems


def secret_problems(name: str, service: dict[str, Any]) -> list[str]:
    """Each secret comes from the environment, required (`${VAR:?message}`): never a value or a default."""
    environment, problems = _environment(service), []
    for secret in SECRETS:
        value = environment.get(secret)
        if value is None:
            problems.append(f"{name} does not set {secret}")
        elif not re.fullmatch(r"\$\{" + secret + r":\?[^}]+\}", value):
            problems.append(f"{name} gives {secret} a value or a default instead of requiring it: {value!r}")
    return problems


def replica_problems(compose: Compose) -> list[str]:
    """Two or more `pathwise serve` replicas of one image on the replica set, ready-checked, sharing a data
    volume, secrets required, started after the replica set is initiated, publishing no port."""
    servers = pathwise_servers(compose)
    if len(servers) < 2:
        return [f"expected two or more pathwise serve replicas, found {sorted(servers)}"]
    problems = []
    for name, service in servers.items():
        problems += uri_problems(name, _mongodb_uri(service)) + secret_problems(name, service)
        problems += _healthcheck_problems(name, service, must_mention="/readyz")
        if _named_volumes(service).get(_data_dir(service)) is None:
            problems.append(f"{name} keeps its data dir {_data_dir(service)} in no named volume")
        problems += [f"{name} does not wait for {init} to complete" for init in init_services(compose)
                     if _depends_on(service).get(init) != "service_completed_successfully"]
        if service.get("ports"):
            problems.append(f"{name} publishes a port: only the proxy should")
    images = {(str(s.get("build")), str(s.get("image"))) for s in servers.values()}
    data = {_named_volumes(s).get(_data_dir(s)) for s in servers.values()}
    if len(images) != 1 or next(iter(images))[0] != ".":
        problems.append(f"the replicas are not one image built from the Dockerfile: {sorted(images)}")
    if len(data) != 1:
        problems.append(f"the replicas do not share one data volume (artifacts): {sorted(map(str, data))}")
    return problems


def interpolation_problems(compose: Compose) -> list[str]:
    """Inline configs write `$` as `$$`: Compose would replace a lone `$name` by an environment variable."""
    return [f"config {name} has a lone '$' (write '$$')"
            for name, config in (compose.get("configs") or {}).items()
            if "$" in str((config or {}).get("content", "")).replace("$$", "")]


def proxy_problems(compose: Compose) -> list[str]:
    """nginx 1.27, the one published port: an upstream of every replica (least_conn) that `proxy_pass` uses,
    no resending of non-idempotent requests, the servers' body limit, the client's address passed on."""
    found, servers = proxy(compose), pathwise_servers(compose)
    if found is None:
        return ["expected one nginx proxy service"]
    name, service = found
    problems = [] if service.get("image") == "nginx:1.27" else [f"{name} runs {service.get('image')}, not nginx:1.27"]
    if len(service.get("ports") or []) != 1:
        problems.append(f"{name} does not publish exactly one port")
    problems += [f"{name} does not wait for {s} to be healthy" for s in servers
                 if _depends_on(service).get(s) != "service_healthy"]
    problems += _healthcheck_problems(name, service)
    try:
        directives = list(_walk(parse_nginx(nginx_config(compose))))
    except ValueError as error:
        return [*problems, str(error)]
    return problems + _upstream_problems(directives, servers) + _location_problems(directives, servers)


def _upstream_problems(directives: list[Directive], servers: dict[str, dict[str, Any]]) -> list[str]:
    upstreams = {d.args[0]: d for d in directives if d.name == "upstream" and d.args}
    passed = [d.args[0] for d in directives if d.name == "proxy_pass" and d.args]
    used = [upstreams[p.removeprefix("http://")] for p in passed if p.removeprefix("http://") in upstreams]
    if not used:
        return [f"no proxy_pass to an upstream (proxy_pass {passed}, upstreams {sorted(upstreams)})"]
    upstream, problems = used[0], []
    members = [d.args[0] for d in upstream.children if d.name == "server" and d.args]
    wanted = [f"{s}:{_environment(servers[s]).get('PATHWISE_PORT', IMAGE_PORT)}" for s in servers]
    problems += [f"upstream {upstream.args[0]} leaves out replica {w}" for w in wanted if w not in members]
    problems += [f"upstream {upstream.args[0]} names {m}, which is no replica" for m in members if m not in wanted]
    if not any(d.name == "least_conn" for d in upstream.children):
        problems.append(f"upstream {upstream.args[0]} does not balance by least_conn")
    return problems


def _location_problems(directives: list[Directive], servers: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    retries = [arg for d in directives if d.name == "proxy_next_upstream" for arg in d.args]
    if "non_idempotent" in retries or "error" not in retries:
        problems.append(f"proxy_next_upstream {retries}: want 'error' (connection failures), no 'non_idempotent'")
    limits = {_nginx_size(d.args[0]) for d in directives if d.name == "client_max_body_size"}
    bodies = {int(_environment(s).get("PATHWISE_MAX_BODY_BYTES", Settings.model_fields["max_body_bytes"].default))
              for s in servers.values()}
    if limits != bodies:
        problems.append(f"client_max_body_size {sorted(limits)} is not the servers' max body bytes {sorted(bodies)}")
    forwarded = [d.args[1] for d in directives if d.name == "proxy_set_header" and len(d.args) > 1
                 and d.args[0].lower() == "x-forwarded-for"]
    trusting = any(_environment(s).get("FORWARDED_ALLOW_IPS") == "*" for s in servers.values())
    if trusting and forwarded != ["$remote_addr"]:
        problems.append(f"replicas trust X-Forwarded-For, so the proxy must set it to $remote_addr, not {forwarded}")
    return problems


def train_problems(compose: Compose) -> list[str]:
    """`train`: `pathwise train` in a profile, with the replicas' image, database, secrets and data volume."""
    train, servers = _services(compose).get("train"), pathwise_servers(compose)
    if train is None or not servers:
        return ["expected a train service and pathwise replicas"]
    server = next(iter(servers.values()))
    problems = [] if _command(train) == ["pathwise", "train"] else [f"train runs {_command(train)}"]
    if "jobs" not in (train.get("profiles") or []):
        problems.append("train is not in the 'jobs' profile: `up` would start it")
    if (train.get("build"), train.get("image")) != (server.get("build"), server.get("image")):
        problems.append("train is not the replicas' image")
    if _mongodb_uri(train) != _mongodb_uri(server):
        problems.append(f"train's PATHWISE_MONGODB_URI differs from the replicas': {_mongodb_uri(train)!r}")
    train_data = _named_volumes(train).get(_data_dir(train))
    if train_data is None or train_data != _named_volumes(server).get(_data_dir(server)):
        problems.append("train does not publish into the replicas' data volume")
    return problems + secret_problems("train", train)


CHECKS: dict[str, Callable[[Compose], list[str]]] = {
    "references": reference_problems, "members": member_problems, "init": init_problems,
    "replicas": replica_problems, "proxy": proxy_problems, "train": train_problems,
    "interpolation": interpolation_problems,
}


# --- the files ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("check", sorted(CHECKS))
def test_the_production_compose_file_passes_each_check(check: str) -> None:
    assert CHECKS[check](load(PRODUCTION)) == []


def test_the_production_file_runs_two_replicas_and_three_members() -> None:
    compose = load(PRODUCTION)
    assert len(pathwise_servers(compose)) >= 2
    assert sorted(mongo_members(compose)) == list(MEMBERS)


def test_the_simple_compose_file_still_parses_with_its_health_checks() -> None:
    compose = load(SIMPLE)
    services = _services(compose)
    assert set(services) == {"mongo", "pathwise"}
    assert reference_problems(compose) == []
    assert _healthcheck_problems("mongo", services["mongo"]) == []
    assert _depends_on(services["pathwise"]) == {"mongo": "service_healthy"}
    assert _named_volumes(services["pathwise"]) == {IMAGE_DATA_DIR: "pathwise-data"}


def test_the_image_checks_readiness_itself() -> None:
    """docker-compose.yml's pathwise service relies on the Dockerfile's HEALTHCHECK."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    check = re.search(r"^HEALTHCHECK (?:[^\n]*\\\n)*[^\n]*", dockerfile, re.MULTILINE)
    assert check is not None and "/readyz" in check.group(0)
    assert f"PATHWISE_DATA_DIR={IMAGE_DATA_DIR}" in dockerfile and f"PATHWISE_PORT={IMAGE_PORT}" in dockerfile


def test_the_readme_shards_or_keeps_whole_every_collection() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Production: replica set and several replicas\n(.*?)(?=^## )", readme,
                        re.MULTILINE | re.DOTALL)
    assert section is not None
    collections = {cast(Any, model).Settings.name for model in DOCUMENT_MODELS}
    assert sorted(c for c in collections if f"`{c}`" not in section.group(1)) == []


# --- the checks find what they are for ---------------------------------------------------------------------
def _drop_upstream_server(compose: Compose) -> None:
    config = compose["configs"]["nginx-conf"]
    config["content"] = re.sub(r"\n\s*server pathwise-2:8000[^\n]*", "", config["content"])


def _default_secret(compose: Compose) -> None:
    compose["services"]["pathwise-1"]["environment"]["PATHWISE_JWT_SECRET"] = "${PATHWISE_JWT_SECRET:-change-me}"


def _no_healthcheck(compose: Compose) -> None:
    del compose["services"]["pathwise-2"]["healthcheck"]


def _shared_member_volume(compose: Compose) -> None:
    compose["services"]["mongo2"]["volumes"] = ["mongo1-data:/data/db"]


def _train_without_profile(compose: Compose) -> None:
    del compose["services"]["train"]["profiles"]


def _unknown_dependency(compose: Compose) -> None:
    compose["services"]["proxy"]["depends_on"]["pathwise-3"] = {"condition": "service_healthy"}


def _undeclared_volume(compose: Compose) -> None:
    del compose["volumes"]["mongo3-data"]


def _uri_without_replica_set(compose: Compose) -> None:
    compose["services"]["train"]["environment"]["PATHWISE_MONGODB_URI"] = "mongodb://mongo1:27017"


def _one_replica(compose: Compose) -> None:
    del compose["services"]["pathwise-2"]


def _lone_dollar(compose: Compose) -> None:
    config = compose["configs"]["nginx-conf"]
    config["content"] = config["content"].replace("$$host", "$host")


def _replicas_apart(compose: Compose) -> None:
    compose["services"]["pathwise-2"]["volumes"] = ["other-data:/var/lib/pathwise"]
    compose["volumes"]["other-data"] = None


def _retrying_posts(compose: Compose) -> None:
    config = compose["configs"]["nginx-conf"]
    config["content"] = config["content"].replace("proxy_next_upstream error", "proxy_next_upstream error non_idempotent")


def _larger_body(compose: Compose) -> None:
    config = compose["configs"]["nginx-conf"]
    config["content"] = re.sub(r"client_max_body_size \d+;", "client_max_body_size 10m;", config["content"])


def _init_without_check(compose: Compose) -> None:
    config = compose["configs"]["rs-initiate"]
    config["content"] = config["content"].replace("NotYetInitialized", "SomethingElse")


BREAKAGES: list[tuple[Callable[[Compose], None], str, str]] = [
    (_drop_upstream_server, "proxy", "leaves out replica pathwise-2:8000"),
    (_default_secret, "replicas", "gives PATHWISE_JWT_SECRET a value or a default"),
    (_no_healthcheck, "replicas", "pathwise-2 has no health check"),
    (_shared_member_volume, "members", "mongo2 shares volume 'mongo1-data'"),
    (_train_without_profile, "train", "not in the 'jobs' profile"),
    (_unknown_dependency, "references", "depends on 'pathwise-3', not a service"),
    (_undeclared_volume, "references", "uses volume 'mongo3-data', not declared"),
    (_uri_without_replica_set, "train", "train's PATHWISE_MONGODB_URI differs"),
    (_one_replica, "replicas", "expected two or more"),
    (_lone_dollar, "interpolation", "lone '$'"),
    (_replicas_apart, "replicas", "do not share one data volume"),
    (_retrying_posts, "proxy", "no 'non_idempotent'"),
    (_larger_body, "proxy", "is not the servers' max body bytes"),
    (_init_without_check, "init", "not idempotent"),
]


@pytest.mark.parametrize(("breaking", "check", "expected"), BREAKAGES, ids=[b[0].__name__[1:] for b in BREAKAGES])
def test_each_check_reports_a_broken_copy(breaking: Callable[[Compose], None], check: str, expected: str) -> None:
    compose = copy.deepcopy(load(PRODUCTION))
    breaking(compose)
    problems = CHECKS[check](compose)
    assert any(expected in problem for problem in problems), problems


def test_the_nginx_reader_keeps_blocks_quotes_and_comments_apart() -> None:
    parsed = parse_nginx('upstream u { server a:1 max_fails=3; } # note { ;\nserver { return 200 "ok { }\\n"; }')
    assert [(d.name, d.args) for d in _walk(parsed)] == [
        ("upstream", ["u"]), ("server", ["a:1", "max_fails=3"]), ("server", []), ("return", ["200", "ok { }\\n"])]
    with pytest.raises(ValueError, match="unterminated"):
        parse_nginx("upstream u { server a:1;")
