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
    jwt_public_key: str | None = Field(default=None, description="PEM public key for RS*/ES*.")
    jwt_jwks_url: str | None = Field(default=None, description="JWKS URL for RS*/ES* (cached).")
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    cors_origins: list[str] = Field(default_factory=list, description="SPA origins allowed by CORS.")
    max_body_bytes: int = Field(default=2_000_000, description="Largest accepted request body.")
    max_query_depth: int = 10
    max_query_tokens: int = 2_000
    max_events_per_batch: int = 1_000
    max_courses_per_batch: int = 1_000
    graphiql: bool = True
    log_level: str = "info"

    @property
    def embedded(self) -> bool:
        return not self.mongodb_uri


@lru_cache
def get_settings() -> Settings:
    return Settings()
