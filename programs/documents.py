"""The seed documents by file name: their titles, for citing them in words a person recognises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedDocument:
    file: str
    title: str
    issuer: str  # as ../shared/data/README.md describes it; empty when it does not say
    year: str


SEED_DOCUMENTS: dict[str, SeedDocument] = {
    d.file: d
    for d in [
        SeedDocument("000_5dcd9dc34f21bb6c.txt", "重点3本柱の取組方針のフォローアップと今後の取組方針（案）",
                     "中堅企業等の成長促進に関するワーキンググループ", "2021年"),
        SeedDocument("001_820c23ba1bbd6f40.txt", "重点3本柱の取組方針のフォローアップと今後の取組方針（2022年改訂）",
                     "中堅企業等の成長促進に関するワーキンググループ", "2022年"),
        SeedDocument("002_d81e8d09d5fc9e5e.txt", "中堅企業等支援に関する今後の取組方針（フォローアップ）",
                     "中堅企業等の成長促進に関するワーキンググループ", "2025年2月"),
        SeedDocument("003_98a7ad4e509f988b.txt", "令和2年度においてものづくり基盤技術の振興に関して講じた施策（ものづくり白書 第2部）",
                     "", ""),
        SeedDocument("004_25da525713403037.txt", "中小企業支援施策総論", "", ""),
    ]
}


def cite_ja(document: str, line: int) -> str:
    """「中小企業支援施策総論」（中小企業庁、2020年）146行目 — or the file name for an unknown document."""
    seed = SEED_DOCUMENTS.get(document)
    if seed is None:
        return f"{document} {line}行目"
    about = "、".join(part for part in (seed.issuer, seed.year) if part)
    return f"「{seed.title}」{f'（{about}）' if about else ''}{line}行目"
