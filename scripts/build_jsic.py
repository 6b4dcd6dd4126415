"""Regenerate rules/data/jsic.json from ../shared/data/jsic/jsic-full.json.

The rules package keeps a compact copy (codes, names, example businesses) so that it loads without
../shared at run time. Source: 総務省「日本標準産業分類（令和5年7月改定）(第14回改定)」.
"""

import json
import sys
from pathlib import Path

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/jsic/jsic-full.json")
OUT = Path(__file__).resolve().parents[1] / "rules" / "data" / "jsic.json"


def main() -> None:
    full = json.loads(SRC.read_text(encoding="utf-8"))
    codes: dict[str, dict] = {}
    for major in full["major_categories"]:
        letter = major["code"]
        codes[letter] = {"name": major["name"], "name_en": major["name_en"]}
        for middle in major["middle_categories"]:
            codes[letter + middle["code"]] = {"name": middle["name"], "name_en": middle["name_en"]}
            for minor in middle["minor_categories"]:
                codes[letter + minor["code"]] = {"name": minor["name"], "name_en": minor["name_en"]}
                for detail in minor["detail_categories"]:
                    entry = {"name": detail["name"], "name_en": detail["name_en"]}
                    examples = [e for e in detail.get("included_examples") or [] if isinstance(e, str)]
                    if examples:
                        entry["examples"] = examples
                    codes[letter + detail["code"]] = entry
    doc = {"source": "総務省「日本標準産業分類（令和5年7月改定）(第14回改定)」", "codes": codes}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{len(codes)} codes -> {OUT}")


if __name__ == "__main__":
    main()
