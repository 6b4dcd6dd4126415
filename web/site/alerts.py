"""The 「お知らせ」 form on /results: what it sent, checked, and what it shows when the page is opened.

Saving is web/ops/alerts.subscribe's job (one subscription per case and e-mail address); this module
only reads the owner's form and says in Japanese what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from starlette.datastructures import FormData

from matcher.recommend import RecommendationSet
from programs.catalog import Catalog
from web.ops.alerts import DEADLINE_DAYS, case_subscriptions, email_address, feed_url, unsubscribe_url
from web.ops.models import AlertSubscription
from web.site import questionnaire
from web.site.views import AlertForm, AlertLine

NO_ANSWERS = "お知らせを受け取るには、先に質問に答えてください。答えた内容に合う制度をお知らせします。"
BAD_EMAIL = ("メールアドレスの形が正しくありません。「name@example.jp」のように入力するか、"
             "空欄のまま（フィードだけで受け取る）にしてください。")
BAD_PROGRAM = "選べない制度が含まれていました。一覧から選び直してください。"
MAX_TYPED = 1000  # longer is no address; cut before normalising so a huge field costs nothing


@dataclass
class AlertRequest:
    """What the form sent: the e-mail as typed, the digest choice, the programs to watch."""

    email: str
    digest: bool
    programs: list[str]


class AlertFormError(Exception):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def read(form: FormData) -> AlertRequest:
    email = form.get("email")
    programs = [v for v in form.getlist("watch") if isinstance(v, str)]
    return AlertRequest(email[:MAX_TYPED] if isinstance(email, str) else "", form.get("digest") is not None, programs)


def checked(request: AlertRequest, watchable: list[str]) -> tuple[str | None, list[str]]:
    """The address to save (None: feed only) and the programs to watch, in the page's order;
    raises AlertFormError for an address that is not one, or a program that was not offered."""
    try:
        email = email_address(request.email)
    except ValueError:
        raise AlertFormError(BAD_EMAIL, "email") from None
    if not set(request.programs) <= set(watchable):
        raise AlertFormError(BAD_PROGRAM, "watch")
    return email, [pid for pid in watchable if pid in request.programs]


def watchable(result: RecommendationSet) -> list[str]:
    """The programs the results page shows as 対象 or 要確認: the ones offered for deadline alerts."""
    return [rec.verdict.program.id for rec in result.results]


def saved_profile(answers: dict[str, Any]) -> dict[str, Any]:
    """The profile a subscription keeps: what was answered, 分からない left out (empty: nothing answered)."""
    return questionnaire.profile_of(answers).model_dump(mode="json", exclude_none=True)


def form_for(engine: Engine, case_token: str, answers: dict[str, Any]) -> AlertForm:
    """The form as the owner last saved it, so 「登録する」 again changes that subscription."""
    subscriptions = case_subscriptions(engine, case_token)
    form = AlertForm(ready=bool(saved_profile(answers)), deadline_days=DEADLINE_DAYS, subscribed=len(subscriptions))
    if subscriptions:
        latest = subscriptions[0]
        form.email, form.digest, form.watched = latest.email or "", latest.digest, list(latest.saved_programs)
    return form


def refilled(request: AlertRequest, error: AlertFormError, *, ready: bool, subscribed: int) -> AlertForm:
    """The form as it was sent, with the error beside the input it is about."""
    return AlertForm(ready=ready, deadline_days=DEADLINE_DAYS, email=request.email, digest=request.digest,
                     watched=request.programs, error=error.message, error_field=error.field, subscribed=subscribed)


def line(subscription: AlertSubscription, catalog: Catalog, public_url: str) -> AlertLine:
    """A subscription as its owner reads it: where it goes, how, which deadlines, its feed and stop links."""
    names = [p.name for p in (catalog.get(pid) for pid in subscription.saved_programs) if p is not None]
    token = subscription.token
    return AlertLine(subscription.email, subscription.digest, names, feed_url(public_url, token),
                     feed_url("", token), unsubscribe_url("", token))
