"""Configuration from `PATHWISE_*` environment variables and `.env`."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="PATHWISE_", env_file=".env", extra="ignore")

    mongodb_uri: str | None = Field(
        default=None, description="MongoDB URI; unset = start the embedded store under data_dir."
    )
    database: str = Field(default="pathwise", description="Database name.")
    data_dir: Path = Field(default=Path(".pathwise"), description="Embedded store, secret, artifacts.")
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_algorithm: Literal["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256"] = "HS256"
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS* secret; unset = generated once and kept in data_dir."
    )
    encryption_keys: SecretStr | None = Field(
        default=None, description="Key-encryption keys as JSON {\"kid\": \"<base64 32-byte key>\"}; unset = one "
        "generated once into data_dir/encryption_keys.json (README, \"Encryption at rest\").",
    )
    encryption_key_id: str | None = Field(
        default=None, description="The kid of encryption_keys that wraps new data keys (needed with several).",
    )
    encryption_key_cache_size: int = Field(
        default=10_000, ge=1, le=1_000_000, description="Learners' data keys kept in memory per process (LRU).",
    )
    jwt_public_key: str | None = Field(default=None, description="PEM public key for RS*/ES*.")
    jwt_jwks_url: str | None = Field(default=None, description="JWKS URL for RS*/ES* (cached).")
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    cors_origins: list[str] = Field(default_factory=list, description="SPA origins allowed by CORS.")
    max_body_bytes: int = Field(default=2_000_000, description="Largest accepted request body.")
    max_query_depth: int = 10
    max_query_tokens: int = 2_000
    max_query_cost: int = Field(
        default=25_000, ge=1, description="Largest cost of one GraphQL request (README, \"Limits\"; schema/cost.py).",
    )
    cost_budget_per_minute: int = Field(
        default=250_000, ge=0,
        description="GraphQL cost a client (token subject, else IP) may spend per minute, per process; 0 = no budget.",
    )
    introspection_budget_per_minute: int = Field(
        default=100_000, ge=0,
        description="Introspection cost (`__schema`, `__type`) a client may spend per minute, per process; 0 = none.",
    )
    introspection_anonymous: bool = Field(default=True, description="Allow introspection without a token.")
    rate_limit_per_minute: int = Field(
        default=3_000, ge=0, description="Requests per minute per token subject, per process; 0 = unlimited.",
    )
    rate_limit_anonymous_per_minute: int = Field(
        default=1_200, ge=0,
        description="Requests per minute per client IP without a valid token, per process; 0 = unlimited.",
    )
    max_events_per_batch: int = 1_000
    max_courses_per_batch: int = 1_000
    graphiql: bool = True
    graphiql_assets: Path | None = Field(
        default=None, description="Folder of GraphiQL's built files (`make web`); unset = web/dist/graphiql of the "
        "source tree (the Docker image sets it).")
    web_apps_assets: Path | None = Field(
        default=None, description="Folder of the built browser apps (`make web`): its learner/ is served at /, its "
        "console/ at /console; unset = web/dist of the source tree.")
    metrics_public: bool = Field(default=False, description="Serve GET /metrics to anyone (else loopback and admins).")
    policy_version: str = Field(default="2026-11", description="Version of the privacy policy consents refer to.")
    default_consents: list[str] = Field(
        default_factory=list,
        description="Purposes granted by default because the platform's own terms cover them (recorded as such).",
    )
    event_retention_days: int = Field(default=395, ge=1, description="Raw events expire after this (TTL index).")
    audit_retention_days: int = Field(
        default=400, ge=1, description="Audit log entries expire after this (TTL index); README, \"Audit log\".",
    )
    analytics_min_group: int = Field(
        default=5, ge=1, le=1_000,
        description="Aggregates (experiment results, learning analytics) over fewer learners than this are "
        "suppressed: their numbers are null and `suppressed` is true, so no small group can be singled out.",
    )
    interest_half_life_days: float = Field(
        default=30.0, ge=7, le=3650,
        description="Half-life of interest signals (≥ 7 days: scores are stored relative to 2025-01-01 and would "
        "overflow after about 1,000 half-lives).",
    )
    mastery_half_life_days: float = Field(
        default=90.0, gt=0, le=3650,
        description="Without practice, a skill's mastery relaxes halfway back to its prior in this many days.",
    )
    mastery_threshold: float = Field(
        default=0.8, gt=0, lt=1, description="Mastery probability at or above which a skill counts as mastered.",
    )
    ingest_batch_size: int = Field(default=100, ge=1, description="Events per bulk write of the ingestion buffer.")
    ingest_flush_ms: int = Field(
        default=0, ge=0,
        description="Longest wait for more events before a partial batch is written (0: as soon as the writer is "
                    "free; events arriving while an insert is in flight go together into the next one).",
    )
    ingest_max_pending: int = Field(default=20_000, ge=1, description="Events buffered before callers wait.")
    database_select_timeout_ms: int = Field(
        default=400, ge=50, le=60_000,
        description="How long a request waits for a database that does not answer before it gets UNAVAILABLE.",
    )
    database_timeout_ms: int = Field(
        default=10_000, ge=100, le=600_000,
        description="Longest wait of the server for one reply of the database; beyond it the request gets "
        "UNAVAILABLE.",
    )
    store_restart_max_seconds: float = Field(
        default=5.0, ge=0.1, le=300,
        description="Embedded store: the longest wait before restarting a store that keeps dying (backoff).",
    )
    shutdown_flush_seconds: float = Field(
        default=3.0, ge=0, le=60,
        description="On shutdown, how long buffered events may take to be stored; those that are not were "
        "never acknowledged and are reported in the log.",
    )
    review_retention: float = Field(
        default=0.9, ge=0.7, le=0.99,
        description="Spaced repetition: the recall probability at which a reviewed exercise falls due again.",
    )
    practice_target_low: float = Field(
        default=0.7, gt=0, lt=1, description="Next exercises: the lowest predicted success rate of new practice.",
    )
    practice_target_high: float = Field(
        default=0.85, gt=0, lt=1, description="Next exercises: the highest predicted success rate of new practice.",
    )
    default_weekly_minutes: int = Field(
        default=180, ge=1, le=10_080,
        description="Learning paths: the weekly study time of a learner without `weekly_minutes_target`.",
    )
    log_level: str = "info"
    recommenders: list[str] = Field(
        default_factory=lambda: ["hybrid", "content", "cf", "sequence", "popular"],
        description="The recommenders that may serve (the allow-list of installed plugins), in order: the first "
        "answers strategy \"auto\"; `popular` is the fallback. An unknown name stops start-up.",
    )
    recommendation_budget_ms: int = Field(
        default=150, ge=1, le=60_000,
        description="Time a recommender may take per request before `popular` answers instead (fallback).",
    )
    recommendation_threads: int = Field(
        default=1, ge=1, le=64,
        description="Threads that run recommenders, so a late one can be cut off at its budget. Python runs one "
        "thread at a time: more threads only make each call slower (bench/README.md).",
    )
    artifact_poll_seconds: float = Field(
        default=5.0, ge=0.1, description="How often the server looks for newly trained artifacts."
    )
    catalog_poll_seconds: float = Field(
        default=5.0, ge=0.1, description="How often the server looks for catalog changes (new courses are embedded)."
    )
    max_recommendations: int = Field(default=100, ge=1, le=1_000, description="Largest `first` of recommendations.")
    recommendation_cache_seconds: float = Field(
        default=300.0, ge=0, le=3_600,
        description="How long a learner's recommendation list may be served again (0: never cached). A write "
        "through any server process for the learner, a new artifact or a catalog change drops it (another process's "
        "writes within about PATHWISE_CHANGE_POLL_SECONDS).",
    )
    recommendation_cache_size: int = Field(
        default=20_000, ge=0, le=1_000_000, description="Most recommendation lists kept (least recently used go).",
    )
    compute_threads: int = Field(
        default=1, ge=1, le=64,
        description="Threads each server process lets its numeric libraries (BLAS, OpenMP, torch, FAISS) use for one "
        "computation. Answers are computed for many requests at once, so more threads per computation only contend "
        "for the cores (measured: a threaded BLAS made answers several times dearer); use more cores with --workers.",
    )
    reads_per_turn: int = Field(
        default=1, ge=0, le=1_000,
        description="GraphQL reads (queries) each server process starts in one turn of its event loop; the others "
        "wait for the next turns, so that writes (mutations) waiting on the store are not stuck behind every read "
        "in flight (0: no limit). A loop runs one request at a time, so the reads lose no throughput.",
    )
    gc_young_threshold: int = Field(
        default=50_000, ge=700, le=10_000_000,
        description="Objects a server process may allocate beyond those it freed before the cycle collector runs "
        "(CPython's gen-0 threshold; its default is 700). A 500-event trackEvents call holds tens of thousands of "
        "objects at once, so at 700 the collector ran hundreds of times a second over objects still in use (~10 µs "
        "of an event's ~140): a request now rarely reaches the threshold (bench/README.md).",
    )
    serving_state_size: int = Field(
        default=10_000, ge=0, le=1_000_000,
        description="Most learners' serving states kept (0: none; least recently used go): what was read of a "
        "learner and the candidates their questions got, kept while nothing of theirs changes.",
    )
    serving_state_refresh_seconds: float = Field(
        default=3_600.0, ge=1, le=86_400,
        description="Age at which a learner's serving state is rebuilt in the background (interests and mastery "
        "decaying with days); it is served meanwhile. Writes drop it at once, whatever its age; reviews falling "
        "due are seen at every request.",
    )
    serving_state_warm_seconds: float = Field(
        default=30.0, ge=0, le=600,
        description="At start-up, at most this long is spent embedding known learners' profiles, then building "
        "their serving states, before the server says it is ready (/readyz), so a restart is not felt (0: none).",
    )
    change_poll_seconds: float = Field(
        default=0.25, ge=0.05, le=60,
        description="How often the server reads the other server processes' learner changes (several processes "
        "on one store: a write through one drops the others' cached answers within about this).",
    )

    @property
    def embedded(self) -> bool:
        return not self.mongodb_uri


@lru_cache
def get_settings() -> Settings:
    return Settings()
