"""Fill the English catalogue from tools/en_translations.py; list what is still missing."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from en_translations import EN  # noqa: E402

po = Path(__file__).resolve().parents[1] / "src/pendopo/locale/en/LC_MESSAGES/django.po"
blocks = po.read_text(encoding="utf-8").split("\n\n")
missing = []
out = [blocks[0].replace("#, fuzzy\n", "")]
for block in blocks[1:]:
    m = re.search(r'msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block + "\n")
    if not m:
        out.append(block)
        continue
    msgid = "".join(re.findall(r'"(.*)"', m.group(1)))
    text = EN.get(msgid)
    if text is None:
        missing.append(msgid)
        out.append(block)
        continue
    head = block[: m.start(2)]
    head = head.replace("#, fuzzy\n", "").replace(", fuzzy", "")
    head = re.sub(r"#\|.*\n", "", head)
    out.append(head + f'"{text}"')
po.write_text("\n\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
if missing:
    print("untranslated:", *missing, sep="\n  ")
