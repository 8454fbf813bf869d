"""Settings: one typed object, read from KAMBOT_* environment variables and `.env`.

Built once at the edge (CLI, API) and passed down; nothing below reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kambot.errors import ConfigError

Language = Literal["fr", "en"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kambot"


class Settings(BaseSettings):
    """Everything kambot can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="KAMBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    lang: Language = "en"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    prompts_dir: Path = PROJECT_ROOT / "prompts"

    max_import_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    max_import_rows: int = Field(default=5_000_000, gt=0)
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"

    llm_provider: Literal["offline", "openai"] = "offline"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=1, ge=0)

    embedding_provider: Literal["local", "openai", "sentence-transformers"] = "local"
    embedding_model: str | None = None
    embedding_base_url: str | None = None
    embedding_api_key: SecretStr | None = None

    chroma_url: str | None = None

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)

    # --- identity and limits (issue 7) ---
    session_ttl_s: int = Field(default=8 * 3600, gt=0)
    # Browsers treat loopback as a secure context, so Secure cookies work on localhost too.
    session_cookie_secure: bool = True
    rate_limit_per_minute: int = Field(default=600, gt=0)
    max_request_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, gt=0)

    # --- conversation (issue 5) ---
    chat_history_turns: int = Field(default=20, gt=0)

    # --- operations (issue 8) ---
    backup_dir: Path | None = None
    # One process builds the search index; other API workers only read it.
    index_writer: bool = True
    # How long the hot read endpoints trust a cached analysis before asking the database
    # again; this process's own writes are seen at once (kambot/store/changes.py).
    data_change_poll_s: float = Field(default=0.05, ge=0)
    # FastAPI's native OpenTelemetry (traces, metrics and logs to the process's global
    # providers). Off by default: kambot configures no exporter, and asking on every
    # request whether one is configured costs about 4 µs (benchmarks/bench_api_auth.py).
    opentelemetry: bool = False

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if self.llm_provider == "openai" and not self.llm_model:
            raise ValueError(
                "KAMBOT_LLM_PROVIDER=openai needs KAMBOT_LLM_MODEL "
                "(and KAMBOT_LLM_BASE_URL for a server other than OpenAI)"
            )
        if self.embedding_provider == "openai" and not self.embedding_model:
            raise ValueError("KAMBOT_EMBEDDING_PROVIDER=openai needs KAMBOT_EMBEDDING_MODEL")
        if self.embedding_provider == "sentence-transformers" and not self.embedding_model:
            raise ValueError(
                "KAMBOT_EMBEDDING_PROVIDER=sentence-transformers needs KAMBOT_EMBEDDING_MODEL "
                "(a local path or an already-downloaded model name)"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """Return the SQLAlchemy URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'kambot.db'}"

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the database is SQLite."""
        return self.resolved_database_url.startswith("sqlite")

    @property
    def index_dir(self) -> Path:
        """Return the folder holding the derived search indexes."""
        return self.data_dir / "index"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(
            f"invalid settings: {problems}",
            hint="check the KAMBOT_* environment variables and .env",
        ) from exc
