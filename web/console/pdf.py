"""The handout as an A4 PDF, with ReportLab.

Japanese text uses ReportLab's built-in CID font HeiseiKakuGo-W5 (Adobe-Japan1): no font file is needed on
the server and every PDF reader shows it with its own Japanese Gothic font. The PDF says the same as the
printable HTML page, from the same HandoutPage.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from web.console.views import HandoutPage

FONT = "HeiseiKakuGo-W5"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=12)
H1 = ParagraphStyle("h1", parent=BODY, fontSize=16, leading=22, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=BODY, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=2)
H3 = ParagraphStyle("h3", parent=BODY, fontSize=11, leading=16, spaceBefore=6)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def handout_pdf(page: HandoutPage) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=page.title, author=page.office)
    h = page.handout
    story = [_p("ご相談のまとめ", H1),
             _p(f"{page.client_name} 様／相談日 {page.held_on}／{page.office} 担当 {page.advisor}", SMALL),
             _p("進めることにした制度", H2)]
    for item in h.programs or []:
        card = item.card
        story += [_p(f"{card.name}（{card.kind}・判定：{item.status}）", H3),
                  _p(f"金額の目安：{card.amount or '公表資料に記載がありません'}"
                     + (f"（{card.amount_basis}）" if card.amount_basis else "")),
                  _p(f"締切：{card.deadline}")]
        story += [_p(f"・{why}", SMALL) for why in item.why]
        story.append(_p(f"申し込み方：{card.how_to_apply}"))
        if card.url:
            story.append(_p(f"公式の案内：{card.url}", SMALL))
    if not h.programs:
        story.append(_p("この相談で進めることにした制度はありません。"))
    if h.total:
        story.append(_p(f"支援額の合計の目安：{h.total}"))
    if h.plan:
        story += [_p("進め方", H2)] + [_p(f"{i}. {step}") for i, step in enumerate(h.plan, 1)]
    if page.next_steps:
        story += [_p("次にやること", H2), _p(page.next_steps)]
    contact = f"{page.office}（担当：{page.advisor}）"
    if h.desk:
        contact += f"\n{h.desk.name}" + (f"：{h.desk.url}" if h.desk.url else "")
    story += [_p("連絡先", H2), _p(contact), Spacer(1, 6 * mm),
              _p(f"{h.as_of}時点の公表資料にもとづく目安です。申し込む前に、必ず公式の案内で条件と締切を確かめてください。", SMALL)]
    doc.build(story)
    return buffer.getvalue()
