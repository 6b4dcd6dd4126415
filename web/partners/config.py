"""Partner settings (environment ``SHIEN_PARTNERS_…``); read only in web/."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PartnerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHIEN_PARTNERS_", env_file=".env", extra="ignore")

    anonymous_per_minute: int = Field(default=120, description="requests per minute shared by every caller without a key")
    anonymous_per_day: int = Field(default=5_000, description="requests per JST day shared by every caller without a key")
    admin_token: str | None = Field(default=None, description="bearer token for /admin/partners, for scripts (a console system admin's session also works)")
    cors_max_age: int = 600
