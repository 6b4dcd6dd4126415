"""The one settings object (pydantic-settings), read only in web/.

Environment variables are prefixed ``SHIEN_`` (e.g. ``SHIEN_DATABASE_URL``). Outside development a
default secret is refused.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"
ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHIEN_", env_file=".env", extra="ignore")

    environment: str = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'shien.db'}"
    secret_key: str = DEV_SECRET
    catalog_dirs: list[Path] = []
    shared_dir: Path = ROOT.parent / "shared"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    ranker_model: Path = ROOT / "var" / "ranker.skops"
    auto_publish: bool = False  # shien refresh publishes without an admin's review (SHIEN_AUTO_PUBLISH)
    refresh_live_dir: Path = Path("programs/catalog/jgrants")  # the catalog directory a refresh replaces
    refresh_staging_dir: Path = Path("var/staging/jgrants")  # where shien refresh stages a run for review
    public_url: str = "http://127.0.0.1:8000"  # links in alert e-mails and feeds
    smtp_host: str | None = None  # alert e-mails are sent only when set
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "支援策マッチ <noreply@localhost>"
    catalog_check_seconds: float = 30  # each worker checks for a newly published catalog version this often (0: never)
    answer_cache_bytes: int = 64 * 1024 * 1024  # per worker: recommendation answers kept for repeated questions

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment != "development" and self.environment != "test" and self.secret_key == DEV_SECRET:
            raise ValueError("SHIEN_SECRET_KEY must be set outside development")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
