"""What each console page shows: one declared dataclass per template, built from records and engine results."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from programs.refresh import RefreshDiff
from programs.store import CatalogVersion
from rules import text
from web.console.analysis import CompareColumn, Handout, WhatIf
from web.console.auth import is_system_admin
from web.console.forms import NONE, PROFILE_FIELDS, THEMES, FieldSpec, KeyInput, display_value, input_value
from web.console.models import OUTCOMES, ROLES, AuditEntry, Client, ConsoleAccount, Consultation, Outcome
from web.console.service import OfficeReport
from web.site.views import PlanLine, ProgramCard

ACTIONS = {"view": "閲覧", "create": "登録", "import": "取り込み", "update": "変更", "consultation": "相談記録",
           "outcome": "結果記録", "whatif": "試算", "compare": "比較", "handout": "配布資料", "handout_pdf": "配布資料PDF",
           "partner_key_create": "APIキーの発行", "partner_key_revoke": "APIキーの失効",
           "catalog_publish": "制度の一覧の公開", "catalog_publish_refused": "制度の一覧の公開（できず）"}
USAGE_DAYS = 7  # the keys page shows requests of the last week


@dataclass
class AccountLine:
    name: str
    role: str
    office: str
    is_admin: bool
    is_system_admin: bool = False

    @classmethod
    def of(cls, account: ConsoleAccount) -> AccountLine:
        return cls(account.name, ROLES.get(account.role, account.role), account.office,
                   account.role in ("office_admin", "system_admin"), is_system_admin(account))


@dataclass(kw_only=True)
class Layout:
    title: str
    csrf_token: str
    account: AccountLine | None = None
    message: str | None = None
    notice: str | None = None
    case_open: bool = False  # the site's base template asks for it


@dataclass(kw_only=True)
class LoginPage(Layout):
    email: str = ""


@dataclass(kw_only=True)
class ErrorPage(Layout):
    status: int


@dataclass
class ClientLine:
    id: int
    name: str
    contact: str
    prefecture: str
    updated: str
    unknown: int


@dataclass(kw_only=True)
class ClientsPage(Layout):
    query: str
    clients: list[ClientLine]


@dataclass
class FieldView:
    name: str
    label: str
    help: str
    kind: str
    unit: str
    options: list[tuple[str, str]]
    value: str
    values: list[str]
    known: bool
    display: str
    decides: int | None = None  # programs this fact would decide now (from next_questions), when it matters
    error: str | None = None


def field_views(profile: dict[str, Any], decides: dict[str, int], errors: dict[str, str] | None = None,
                posted: dict[str, Any] | None = None) -> list[FieldView]:
    errors = errors or {}
    views = []
    for spec in PROFILE_FIELDS:
        stored = profile.get(spec.name)
        shown = posted.get(spec.name) if posted is not None else stored
        views.append(FieldView(spec.name, spec.label, spec.help, spec.kind, spec.unit, list(spec.options),
                               _input(spec, shown, posted is not None), _values(spec, shown), stored is not None,
                               display_value(spec, stored), decides.get(spec.name), errors.get(spec.name)))
    return views


def _input(spec: FieldSpec, value: Any, raw: bool) -> str:
    if raw:
        return value if isinstance(value, str) else ""
    return input_value(spec, value)


def _values(spec: FieldSpec, value: Any) -> list[str]:
    if spec.kind != "multi" or value is None:
        return []
    return [str(v) for v in value] or [NONE]


@dataclass(kw_only=True)
class ProfileFormPage(Layout):
    client_id: int | None
    name: str
    contact: str
    fields: list[FieldView]
    errors: list[str] = field(default_factory=list)
    prefectures: list[str] = field(default_factory=list)
    none_value: str = NONE


@dataclass(kw_only=True)
class ImportPage(Layout):
    link: str = ""
    name: str = ""
    contact: str = ""


@dataclass
class ConsultationLine:
    id: int
    held_on: str
    advisor: str
    themes: str
    notes: str
    programs: list[str]
    agreed: list[str]
    next_steps: str


@dataclass
class OutcomeLine:
    program: str
    outcome: str
    advisor: str
    at: str


@dataclass
class WhatIfForm:
    employees: str = ""
    capital_yen: str = ""
    planned_wage_increase_pct: str = ""
    planned_investment_yen: str = ""
    certifications: list[str] = field(default_factory=list)
    as_of: str = ""
    certification_options: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


@dataclass(kw_only=True)
class ClientPage(Layout):
    client_id: int
    name: str
    contact: str
    from_owner_site: bool
    facts: list[FieldView]
    unknown_count: int
    questions: list[FieldView]
    eligible: list[ProgramCard]
    undetermined: list[ProgramCard]
    near_misses: list[ProgramCard]
    plan: list[PlanLine]
    total: str | None
    counts: dict[str, int]
    as_of: str
    whatif_form: WhatIfForm
    whatif: WhatIf | None
    consultations: list[ConsultationLine]
    outcomes: list[OutcomeLine]
    outcome_choices: list[tuple[str, str]] = field(default_factory=lambda: list(OUTCOMES.items()))
    catalog_ready: bool = True


@dataclass
class ProgramChoice:
    id: str
    name: str
    status: str
    checked: bool
    agreed: bool


@dataclass(kw_only=True)
class ConsultationFormPage(Layout):
    client_id: int
    client_name: str
    held_on: str
    themes: list[tuple[str, bool]]
    notes: str
    next_steps: str
    programs: list[ProgramChoice]
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class ComparePage(Layout):
    client_id: int
    client_name: str
    columns: list[CompareColumn]


@dataclass(kw_only=True)
class HandoutPage(Layout):
    client_name: str
    held_on: str
    advisor: str
    office: str
    handout: Handout
    next_steps: str
    themes: str
    pdf_url: str
    back_url: str


@dataclass(kw_only=True)
class ReportPage(Layout):
    report: OfficeReport
    program_names: dict[str, str]
    outcome_labels: dict[str, str]
    years: list[int]
    offices: list[str]
    max_month: int


@dataclass
class AuditLine:
    at: str
    who: str
    office: str
    client: str
    action: str
    detail: str


@dataclass(kw_only=True)
class AuditPage(Layout):
    entries: list[AuditLine]


@dataclass
class AccountRow:
    name: str
    email: str
    role: str
    office: str
    active: bool


@dataclass(kw_only=True)
class AccountsPage(Layout):
    accounts: list[AccountRow]
    roles: list[tuple[str, str]]
    offices: list[str]
    default_office: str
    form: dict[str, str] = field(default_factory=dict)


@dataclass
class KeyRow:
    id: str
    prefix: str
    origins: list[str]
    per_minute: str
    per_day: str
    created: str
    revoked: str | None  # when, or None while the key works
    served: str  # requests answered in the last USAGE_DAYS days
    refused: str  # requests refused over a limit in the same days


@dataclass
class PartnerGroup:
    name: str
    prefecture: str
    own_programs: int
    keys: list[KeyRow]


@dataclass
class NewKey:
    """A key just made: its token is on this one page and never again."""

    key_id: str
    partner: str
    token: str


@dataclass(kw_only=True)
class PartnersPage(Layout):
    partners: list[PartnerGroup]
    form: KeyInput
    errors: dict[str, str]
    prefectures: list[str]
    new_key: NewKey | None = None
    usage_days: int = USAGE_DAYS


@dataclass(kw_only=True)
class RevokeKeyPage(Layout):
    partner: PartnerGroup
    key: KeyRow
    usage_days: int = USAGE_DAYS


def partner_groups(keys: list[dict[str, Any]], usage: list[dict[str, Any]]) -> list[PartnerGroup]:
    """``keys.list_keys`` rows grouped by partner, each key with its requests from ``limits.usage``."""
    served: dict[str, int] = {}
    refused: dict[str, int] = {}
    for row in usage:
        served[row["key_id"]] = served.get(row["key_id"], 0) + int(row["requests"])
        refused[row["key_id"]] = refused.get(row["key_id"], 0) + int(row["rejected"])
    groups: dict[str, PartnerGroup] = {}
    for k in keys:
        group = groups.setdefault(k["partner"], PartnerGroup(k["partner"], k["prefecture"] or "指定なし",
                                                             k["own_programs"], []))
        revoked = moment_ja(dt.datetime.fromisoformat(k["revoked_at"])) if k["revoked_at"] else None
        group.keys.append(KeyRow(k["id"], k["prefix"], k["origins"], text.number_ja(k["per_minute"]),
                                 text.number_ja(k["per_day"]), moment_ja(dt.datetime.fromisoformat(k["created_at"])),
                                 revoked, text.number_ja(served.get(k["id"], 0)),
                                 text.number_ja(refused.get(k["id"], 0))))
    return list(groups.values())


# the catalog page: versions, what changed in each, and a staged Jグランツ run

PROGRAM_FIELDS = {"name": "名称", "summary": "概要", "url": "URL", "kind": "種類", "industries": "業種",
                  "prefectures": "地域", "target_sizes": "対象の規模", "purposes": "目的", "benefits": "支援の内容",
                  "budgets": "予算", "windows": "受付期間", "period": "実施期間", "status": "状況",
                  "status_changes": "状況の変化", "eligibility": "対象の条件", "implementing_body": "実施機関",
                  "ministry": "所管", "applies_via_text": "申請の方法", "sources": "出典", "search_text": "詳細の本文",
                  "family": "同じ制度のまとまり", "(formatting)": "書式だけ"}


@dataclass
class ProgramRef:
    id: str
    name: str | None  # None when neither the current catalog nor the staged files know it


@dataclass
class VersionView:
    id: int
    published: str
    program_count: str
    source: str
    current: bool
    added: list[ProgramRef]
    changed: list[ProgramRef]
    removed: list[ProgramRef]


@dataclass
class ChangedCall:
    program: ProgramRef
    fields: list[str]


@dataclass
class StagedRun:
    as_of: str
    source: str
    new: list[ProgramRef]
    changed: list[ChangedCall]
    closed: list[ProgramRef]
    not_listed: list[ProgramRef]
    unmappable: int


@dataclass(kw_only=True)
class CatalogPage(Layout):
    current: VersionView | None
    served_version: int | None  # the version this worker answers with
    history: list[VersionView]
    history_limit: int
    staged: StagedRun | None
    problems: list[str] = field(default_factory=list)


def version_view(version: CatalogVersion, names: dict[str, str]) -> VersionView:
    try:
        summary = json.loads(version.summary)
    except ValueError:
        summary = {}
    refs = {kind: [ProgramRef(pid, names.get(pid)) for pid in summary.get(kind, [])]
            for kind in ("added", "changed", "removed")}
    return VersionView(version.id or 0, moment_ja(version.created_at), text.number_ja(version.program_count),
                       version.source or "―", version.is_current, refs["added"], refs["changed"], refs["removed"])


def staged_run(diff: RefreshDiff, names: dict[str, str]) -> StagedRun:
    def refs(ids: list[str]) -> list[ProgramRef]:
        return [ProgramRef(pid, names.get(pid)) for pid in ids]

    changed = [ChangedCall(ProgramRef(pid, names.get(pid)), [_field_ja(f) for f in fields])
               for pid, fields in diff.changed.items()]
    return StagedRun(text.date_ja(dt.date.fromisoformat(diff.as_of)), diff.source, refs(diff.new), changed,
                     refs(diff.closed), refs(diff.not_listed), len(diff.unmappable))


def _field_ja(name: str) -> str:
    """受付期間（windows）: the label, with the field's name as it is in the program file."""
    label = PROGRAM_FIELDS.get(name)
    if label is None:
        return name
    return label if name.startswith("(") else f"{label}（{name}）"


JST = dt.timezone(dt.timedelta(hours=9))


def moment_ja(moment: dt.datetime) -> str:
    """令和8年（2026年）11月22日 10:15 (Japan time)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    local = aware.astimezone(JST)
    return f"{text.date_ja(local.date())} {local:%H:%M}"


def jst(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    local = aware.astimezone(dt.timezone(dt.timedelta(hours=9)))
    return f"{local:%Y-%m-%d %H:%M}"


def client_line(client: Client) -> ClientLine:
    unknown = sum(1 for spec in PROFILE_FIELDS if client.profile.get(spec.name) is None)
    return ClientLine(client.id or 0, client.name, client.contact or "", client.profile.get("prefecture") or "不明",
                      jst(client.updated_at), unknown)


def consultation_line(entry: Consultation, advisors: dict[int, str], names: dict[str, str]) -> ConsultationLine:
    return ConsultationLine(entry.id or 0, text.date_ja(entry.held_on), advisors.get(entry.advisor_id, "―"),
                            "、".join(entry.themes) or "―", entry.notes,
                            [names.get(p, p) for p in entry.programs], [names.get(p, p) for p in entry.agreed],
                            entry.next_steps)


def outcome_line(row: Outcome, advisors: dict[int, str], names: dict[str, str]) -> OutcomeLine:
    return OutcomeLine(names.get(row.program_id, row.program_id), OUTCOMES.get(row.outcome, row.outcome),
                       advisors.get(row.advisor_id, "―"), jst(row.created_at))


def audit_line(entry: AuditEntry, who: dict[int, str], clients: dict[int, str]) -> AuditLine:
    return AuditLine(jst(entry.at), who.get(entry.account_id or 0, "―"), entry.office,
                     clients.get(entry.client_id or 0, "―") if entry.client_id else "―",
                     ACTIONS.get(entry.action, entry.action), entry.detail)


def theme_choices(selected: list[str]) -> list[tuple[str, bool]]:
    return [(t, t in selected) for t in THEMES]
