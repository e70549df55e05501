"""Template texts under ``blocktranslate`` (issue 11, item 3).

Inside ``{% blocktranslate %}`` only plain names work: ``{{ a.b }}`` is
looked up as one name "a.b" and renders empty, so every resident e-mail read
「」の申請… . Values are bound with ``with name=a.b`` and used as ``{{ name }}``.
"""

import re
from pathlib import Path

from django.conf import settings

BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
DOTTED = re.compile(r"{{\s*[\w]+\.[\w.]+")


def _templates() -> list[Path]:
    return sorted(
        path
        for root in settings.TEMPLATES[0]["DIRS"]
        for path in Path(root).rglob("*")
        if path.suffix in (".html", ".txt")
    )


def test_blocktranslate_never_reads_a_dotted_name():
    templates = _templates()
    found = [
        f"{path.name}: {match.group(0)}"
        for path in templates
        for block in BLOCK.finditer(path.read_text(encoding="utf-8"))
        for match in DOTTED.finditer(block.group(1))
    ]

    assert len(templates) > 50
    assert found == []
