"""Prefectures and the regions (地方区分) they belong to."""

from __future__ import annotations

REGION_OF_PREFECTURE: dict[str, str] = {
    "北海道": "北海道",
    **dict.fromkeys(["青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"], "東北"),
    **dict.fromkeys(["茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県"], "関東"),
    **dict.fromkeys(
        ["新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県"], "中部"
    ),
    **dict.fromkeys(["三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"], "近畿"),
    **dict.fromkeys(["鳥取県", "島根県", "岡山県", "広島県", "山口県"], "中国"),
    **dict.fromkeys(["徳島県", "香川県", "愛媛県", "高知県"], "四国"),
    **dict.fromkeys(
        ["福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"], "九州・沖縄"
    ),
}

PREFECTURES: tuple[str, ...] = tuple(REGION_OF_PREFECTURE)
REGIONS: tuple[str, ...] = tuple(dict.fromkeys(REGION_OF_PREFECTURE.values()))


def region_of(prefecture: str | None) -> str | None:
    """The region of a prefecture, or None when the prefecture is unknown."""
    if prefecture is None:
        return None
    return REGION_OF_PREFECTURE.get(prefecture)
