"""Response models of the partner endpoints (usage) and the admin's key operations."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class UsageDay(BaseModel):
    date: dt.date = Field(description="日付（日本時間）/ the day, JST")
    requests: int = Field(description="応答したリクエスト数 / requests served")
    rejected: int = Field(description="上限超過で断ったリクエスト数 / requests refused with 429")


class UsageResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "partner": "miyagi-pref", "key_id": "k_3f9a1c2b", "per_minute": 600, "per_day": 50000,
        "days": [{"date": "2026-11-22", "requests": 1234, "rejected": 0}]}]})

    partner: str = Field(description="パートナー名 / partner name")
    key_id: str = Field(description="このキーのID（トークンではない）/ this key's id (not the token)")
    per_minute: int = Field(description="1分あたりの上限 / requests allowed per minute")
    per_day: int = Field(description="1日あたりの上限（日本時間）/ requests allowed per JST day")
    days: list[UsageDay] = Field(description="直近の日ごとの利用数（新しい順）/ recent days, newest first")


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner: str = Field(min_length=1, max_length=80, description="partner name (created on first key)")
    origins: list[str] = Field(default_factory=list, max_length=50, description="browser origins allowed (CORS)")
    per_minute: int = Field(default=600, ge=1, le=1_000_000)
    per_day: int = Field(default=50_000, ge=1, le=100_000_000)
    prefecture: str | None = Field(default=None, description="the partner's prefecture: its programs come first")


class KeyCreated(BaseModel):
    id: str
    partner: str
    token: str = Field(description="shown once: only its SHA-256 digest is stored")
