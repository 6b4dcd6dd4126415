"""Browser journeys of an owner on the site, in Debian's headless Chromium (docs/site-contract.md).

An owner of a small metal-press shop in 宮城県 answers the questionnaire, says 「分からない」 twice, reads
the results with their reasons (✓ / ? / ✗), asks to be told of new programs and a deadline, opens a
program and prints the A4 handout: on a desktop, on a 390×844 phone, and without JavaScript. axe-core checks the pages for serious and critical problems.
Screenshots: test-artifacts/screenshots/<journey>/<NN>-<step>.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from matcher.questions import QUESTIONS, Question
from tests.browser.conftest import ARTIFACTS, Shots, format_violations

pytestmark = pytest.mark.browser

BY_TEXT = {q.text: q for q in QUESTIONS}
MARKS = {"✓": "条件を満たす", "?": "確認が必要", "✗": "条件を満たさない"}
SECTIONS = ("対象になりそうな制度", "確認が必要な制度", "あと一歩の制度")
A4_WIDTH_MM, A4_HEIGHT_MM = 210, 297
PX_PER_MM = 96 / 25.4
MAX_PRINT_PAGES = 4  # a handout to take to a consultation: a few A4 sheets at most

# What this owner answers; fields not here are answered with a plain, harmless value (see _answer).
OWNER = {
    "prefecture": "宮城県",
    "industry": ("金属", re.compile("金属プレス製品製造業")),  # typed words, then the suggestion picked
    "employees": "25",
    "capital_yen": "1000",  # 万円
    "purposes": ("設備投資", "生産性向上・省力化"),
}
PLAIN_NUMBERS = {
    "large_company_share_pct": "0", "largest_large_company_share_pct": "0", "large_company_officer_share_pct": "0",
    "avg_taxable_income_yen": "2000", "annual_revenue_yen": "30000", "planned_investment_yen": "1500",
    "planned_wage_increase_pct": "3", "sales_change_pct": "5", "tax_filings": "20", "consortium_size": "0",
    "energy_use_kl": "100",
}
UNKNOWN_TIMES = 2  # 「分からない」 twice: to the first two questions after the owner's basics above


class NoShots(Shots):
    """For a test that looks at pages without keeping pictures of them."""

    def __init__(self) -> None:
        pass

    def __call__(self, page: Any, step: str) -> None:  # type: ignore[override]
        return None

    def element(self, locator: Any, step: str) -> None:  # type: ignore[override]
        return None


@dataclass
class Journey:
    page: Any
    shots: Shots
    js: bool = True
    phone: bool = False
    inspect: Callable[[str], None] | None = None  # called on each question page once it is filled in
    asked: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _path(page: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("#")[0]


def _no_horizontal_overflow(page: Any, where: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] + 1, f"{where}: the page is wider than the screen ({width[0]}px > {width[1]}px)"


def start(j: Journey) -> None:
    page = j.page
    page.goto("/")
    expect_lang_ja(page)
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_role("search").count() >= 1 or page.get_by_role("searchbox").count() >= 1
    j.shots(page, "landing")
    _no_horizontal_overflow(page, "landing")
    page.get_by_role("button", name="はじめる").click()
    page.wait_for_load_state()
    assert _path(page).startswith("/q"), f"「はじめる」 led to {page.url}, not /q"


def expect_lang_ja(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.lang") == "ja"


def current_question(page: Any) -> Question:
    heading = page.locator("fieldset legend").first.inner_text().strip()
    assert heading in BY_TEXT, f"unknown question on /q: {heading!r}"
    return BY_TEXT[heading]


def answer_questionnaire(j: Journey, max_steps: int = 16) -> None:
    """Answers every question the site asks until it shows the results (or clicks 「結果を見る」)."""
    page = j.page
    for _ in range(max_steps):
        if _path(page).startswith("/results"):
            return
        assert _path(page).startswith("/q"), f"expected a question or the results, got {page.url}"
        q = current_question(page)
        assert q.field not in j.asked, f"the question {q.field} was asked twice: {j.asked}"
        j.asked.append(q.field)
        group = page.get_by_role("group", name=q.text)
        assert group.count() >= 1, f"the question {q.text!r} is not a fieldset named by its legend"
        assert page.get_by_role("link", name="結果を見る").count() >= 1
        step = f"q{len(j.asked):02d}-{q.field}"
        _no_horizontal_overflow(page, step)
        if j.phone:  # big enough to tap: 44 CSS px
            for name in ("次へ", "分からない"):
                box = page.get_by_role("button", name=name).bounding_box()
                assert box and box["height"] >= 44, f"{step}: 「{name}」 is {box} on a phone: too small to tap"
        if q.field not in OWNER and len(j.unknown) < UNKNOWN_TIMES:
            j.shots(page, f"{step}-unknown")
            j.unknown.append(q.field)
            page.get_by_role("button", name="分からない").click()
        else:
            _answer(j, q, group)
            j.shots(page, step)
            if j.inspect:
                j.inspect(step)
            page.get_by_role("button", name="次へ").click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").count() == 0 or _path(page).startswith("/results"), \
            f"{q.field}: the site refused the answer: {page.get_by_role('alert').first.inner_text()}"
    page.get_by_role("link", name="結果を見る").first.click()  # the site kept asking: look at the results now
    page.wait_for_load_state()


def _answer(j: Journey, q: Question, group: Any) -> None:
    page = j.page
    wanted = OWNER.get(q.field)
    if q.type == "industry":
        words, choice = wanted if wanted else ("鉄工所", re.compile("製造業"))
        box = group.get_by_role("textbox").first
        box.fill(words)
        radio = page.get_by_role("radio", name=choice).first
        if not j.js:  # without JavaScript the suggestions come back after 「次へ」
            j.shots(page, f"q{len(j.asked):02d}-industry-typed")
            page.get_by_role("button", name="次へ").click()
            page.wait_for_load_state()
            assert current_question(page).field == "industry", "the industry words were not turned into choices"
        radio.wait_for(state="visible")
        radio.check()
    elif q.type == "choice":
        label = wanted or {"legal_form": "株式会社"}.get(q.field) or q.options[0].label
        select = group.get_by_role("combobox")
        if select.count():
            select.select_option(label=label)
        else:
            group.get_by_role("radio", name=label, exact=True).check()
    elif q.type == "multi":
        labels = wanted or ("どれも当てはまらない",)
        for label in labels:
            group.get_by_role("checkbox", name=label, exact=True).check()
    elif q.type == "boolean":
        group.get_by_role("radio", name="いいえ", exact=True).check()
    elif q.type == "date":
        group.locator("input").first.fill("2005-04-01")
    elif q.type == "text":
        group.get_by_role("textbox").first.fill({"municipality": "仙台市"}.get(q.field, "設備が古くなってきた"))
    else:  # integer, number
        group.get_by_role("textbox").first.fill(wanted or PLAIN_NUMBERS.get(q.field, "0"))


def check_results(j: Journey) -> None:
    page = j.page
    assert _path(page) == "/results", page.url
    expect_lang_ja(page)
    for name in (*SECTIONS, "まずやること", "相談窓口"):
        assert page.get_by_role("heading", name=name, exact=True).count() == 1, f"no heading 「{name}」 on /results"
    cards = page.get_by_role("article")
    assert cards.count() > 0, "no program cards on /results"
    for symbol, label in MARKS.items():
        marks = page.get_by_role("img", name=label, exact=True)
        assert marks.count() > 0, f"no reason marked {symbol} ({label}) on /results"
        assert marks.first.inner_text().strip() == symbol
    # The 宮城県 よろず支援拠点 as the desk to talk to.
    desk = page.get_by_role("region", name="相談窓口")
    assert "宮城" in desk.inner_text(), "the 相談窓口 is not the 宮城県 よろず支援拠点"
    # The answers, with 「分からない」 twice.
    answers = page.get_by_role("region", name="あなたの回答").inner_text()
    assert answers.count("分からない") >= UNKNOWN_TIMES, answers
    assert "宮城県" in answers
    _no_horizontal_overflow(page, "results")
    j.shots(page, "results")  # the top of the list (a long page is cut at Shots.MAX_HEIGHT)
    for section, step in zip(SECTIONS, ("eligible", "to-check", "near-miss"), strict=True):
        first = page.get_by_role("region", name=section).get_by_role("article").first
        if first.count():
            j.shots.element(first, f"results-{step}-card")
    j.shots.element(desk, "results-desk")


def subscribe_to_alerts(j: Journey) -> None:
    """From the results, the owner asks to hear of new programs and of one program's deadline by e-mail."""
    page = j.page
    section = page.get_by_role("region", name="新しい制度や締切をお知らせします")
    section.get_by_label("メールアドレス").fill("owner@example.jp")
    watch = section.get_by_role("group", name=re.compile("知らせてほしい制度")).get_by_role("checkbox")
    assert watch.count() > 0, "no program offered for a deadline alert"
    watch.first.check()
    j.shots.element(section, "alerts-form")
    section.get_by_role("button", name="お知らせを登録する").click()
    page.wait_for_load_state()
    assert _path(page).split("?")[0] == "/results/alerts", page.url
    assert page.get_by_role("status").inner_text().strip() == "お知らせを登録しました。"
    assert page.get_by_role("heading", name="owner@example.jp へのお知らせ").count() == 1
    feed = page.get_by_role("textbox", name=re.compile("フィード")).input_value()
    assert re.search(r"/alerts/[A-Za-z0-9_-]+/feed\.atom$", feed), feed
    assert page.get_by_role("link", name="お知らせを止める").count() == 1
    _no_horizontal_overflow(page, "alerts")
    j.shots(page, "alerts")
    page.goto("/results")


def open_program(j: Journey) -> str:
    page = j.page
    section = page.get_by_role("region", name=SECTIONS[0])
    link = section.get_by_role("heading", level=3).get_by_role("link").first
    if not link.count():
        link = page.get_by_role("article").first.get_by_role("heading").get_by_role("link").first
    name = link.inner_text().strip()
    link.click()
    page.wait_for_load_state()
    assert _path(page).startswith("/programs/"), page.url
    assert page.get_by_role("heading", level=1).inner_text().strip() == name
    assert page.get_by_role("heading", name="条件", exact=True).count() == 1
    judged = sum(page.get_by_role("img", name=label, exact=True).count() for label in MARKS.values())
    assert judged > 0, "the program page shows no ✓/?/✗ although a case is open"
    _no_horizontal_overflow(page, "program")
    j.shots(page, "program")
    return name


def open_print_view(j: Journey, journey: str) -> None:
    page = j.page
    page.goto("/results")
    page.get_by_role("link", name="印刷用ページ").click()
    page.wait_for_load_state()
    assert _path(page) == "/results/print", page.url
    assert page.get_by_role("navigation").count() == 0, "the print view has navigation"
    j.shots(page, "print-screen")
    check_fits_a4(page, j.shots, journey)


def check_fits_a4(page: Any, shots: Shots, journey: str) -> None:
    """In print media, at the width of an A4 sheet, nothing sticks out sideways; the PDF has few A4 pages."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round(A4_WIDTH_MM * PX_PER_MM), "height": round(A4_HEIGHT_MM * PX_PER_MM)})
    page.wait_for_timeout(50)
    a4 = round(A4_WIDTH_MM * PX_PER_MM)
    widest = page.evaluate("""() => {
        let right = 0, what = '';
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > right) { right = r.right; what = el.tagName + ' ' + (el.textContent || '').slice(0, 40); }
        }
        return [Math.ceil(right), what, document.documentElement.scrollWidth];
    }""")
    assert widest[0] <= a4 and widest[2] <= a4, f"the print view is wider than A4 ({a4}px): {widest}"
    page_css = page.evaluate("""() => [...document.styleSheets].flatMap(s => { try { return [...s.cssRules]; }
        catch (e) { return []; } }).filter(r => r.constructor.name === 'CSSPageRule').map(r => r.cssText)""")
    assert page_css, "the print view has no @page rule"
    shots(page, "print-media")
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    out = ARTIFACTS / "print" / f"{journey}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    sizes = {m for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)}
    assert pages >= 1 and sizes, "no PDF pages"
    for w, h in sizes:  # A4 in points: 595 × 842
        assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2, f"PDF page is not A4: {w!r}×{h!r}"
    assert pages <= MAX_PRINT_PAGES, f"the print view takes {pages} A4 pages (at most {MAX_PRINT_PAGES}): {out}"
    page.emulate_media(media="screen")


def owner_journey(j: Journey, journey: str) -> None:
    start(j)
    answer_questionnaire(j)
    assert len(j.unknown) == UNKNOWN_TIMES, f"said 分からない to {j.unknown}, asked {j.asked}"
    check_results(j)
    subscribe_to_alerts(j)
    open_program(j)
    open_print_view(j, journey)
    assert not j.page.server_errors, j.page.server_errors


# --- the journeys ---------------------------------------------------------------------------------------


def test_owner_of_a_small_manufacturer_in_miyagi_answers_and_prints(new_page, shots) -> None:  # type: ignore[no-untyped-def]
    j = Journey(new_page(), shots)
    owner_journey(j, "desktop")


def test_owner_does_the_same_on_a_phone(new_page, shots) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=1)
    owner_journey(Journey(page, shots, phone=True), "phone")


def test_owner_without_javascript_answers_and_prints(new_page, shots) -> None:  # type: ignore[no-untyped-def]
    j = Journey(new_page(java_script_enabled=False), shots, js=False)
    owner_journey(j, "no-js")


def test_pages_have_no_serious_accessibility_problems(new_page, axe) -> None:  # type: ignore[no-untyped-def]
    """axe-core on the landing page, question pages (a list, industry suggestions, checkboxes), the results,
    the alerts and unsubscribe pages, a program page and the print view; and the start of the journey by
    keyboard alone."""
    page = new_page(bypass_csp=True)  # axe-core is injected as a script
    problems: list[str] = []

    def check(where: str) -> None:
        violations = axe(page, where.replace(" ", "-"))
        if violations:
            problems.append(format_violations(f"{where} ({_path(page)})", violations))

    page.goto("/")
    check("landing page")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.getBoundingClientRect().left]")
    assert focused[0] == "本文へ移動" and focused[1] >= 0, f"the first Tab does not show the skip link: {focused}"
    for _ in range(10):  # Tab on to 「はじめる」 and press Enter: the questionnaire starts
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "はじめる":
            break
    else:
        pytest.fail("「はじめる」 cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/q"))

    j = Journey(page, NoShots(), inspect=lambda step: check(f"question {step}")
                if step.split("-", 1)[1] in ("prefecture", "industry", "purposes") else None)
    answer_questionnaire(j)
    check("results")
    page.get_by_role("button", name="お知らせを登録する").click()
    page.wait_for_load_state()
    check("alerts page")
    page.get_by_role("link", name="お知らせを止める").click()
    page.wait_for_load_state()
    check("unsubscribe page")
    page.goto("/results")
    open_program(j)
    check("program page")
    page.goto("/results/print")
    check("print view")
    assert not problems, "\n\n".join(problems)


def test_the_axe_check_itself_finds_problems(browser, axe) -> None:  # type: ignore[no-untyped-def]
    """A page with known serious problems: the harness must report them (no silent pass)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html><body><img src="x.png"><p style="color:#bbb;background:#fff">薄い文字</p>'
                     '<input type="text"></body></html>')
    ids = {v["id"] for v in axe(page, "self-test")}
    context.close()
    assert {"image-alt", "color-contrast", "label", "html-has-lang"} <= ids, ids
