from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from backcoach.app import i18n
from backcoach.app.templating import TEMPLATES_DIR

APP_DIR = Path(i18n.__file__).parent
PO_PATH = i18n.LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po"
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
LETTER = re.compile(r"[^\W\d_]")
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label", "content"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if tag == "meta" and name == "content":
                continue  # meta values (viewport, colours) are not prose
            if name in VISIBLE_ATTRIBUTES and value and LETTER.search(value):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and LETTER.search(data):
            self.found.append(data.strip())


def visible_text_outside_gettext(source: str) -> list[str]:
    """Text a reader would see that is not produced by a Jinja expression such as ``_()``."""
    parser = _VisibleText()
    parser.feed(JINJA.sub(" ", source))
    return parser.found


TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_template_has_no_text_outside_gettext(template: Path) -> None:
    assert visible_text_outside_gettext(template.read_text(encoding="utf-8")) == []


def test_the_check_catches_bare_text_and_attributes() -> None:
    source = '<p>{{ _("ok") }}</p><p>Hello {{ name }}</p><img alt="A dog"><b>{{ n }} → 3</b>'
    assert visible_text_outside_gettext(source) == ["Hello", "<img alt='A dog'>"]


def _extracted_messages() -> dict[str, str]:
    messages = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        APP_DIR,
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    ):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                messages[msgid] = filename
    return messages


def test_every_message_has_a_chinese_translation() -> None:
    with PO_PATH.open("rb") as po_file:
        catalog = read_po(po_file, locale="zh_Hans")
    missing = [
        f"{msgid!r} ({filename})"
        for msgid, filename in _extracted_messages().items()
        if msgid not in catalog or not catalog[msgid].string or catalog[msgid].fuzzy
    ]
    assert missing == [], "run the catalogue update in docs/app.md and translate these"


def test_translations_keep_their_placeholders() -> None:
    with PO_PATH.open("rb") as po_file:
        catalog = read_po(po_file, locale="zh_Hans")
    wrong = [
        message.id
        for message in catalog
        if message.id and message.string
        and sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string))
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "cookie, accept, expected",
    [
        pytest.param(None, "zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans", id="browser-zh-CN"),
        pytest.param(None, "en-GB,en;q=0.9", "en", id="browser-en-GB"),
        pytest.param(None, "fr-FR,zh-Hans;q=0.5", "zh_Hans", id="second-choice"),
        pytest.param(None, "zh-TW", "en", id="traditional-not-offered"),
        pytest.param("en", "zh-CN", "en", id="cookie-wins"),
        pytest.param("zh-Hans", None, "zh_Hans", id="cookie-zh-Hans"),
        pytest.param("klingon", None, "en", id="unknown-cookie"),
        pytest.param(None, None, "en", id="nothing"),
    ],
)
def test_choose_locale(cookie: str | None, accept: str | None, expected: str) -> None:
    assert i18n.choose_locale(cookie, accept) == expected


def test_language_switch_sets_cookie_and_returns(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/lang/zh_Hans?next=/privacy")
    assert response.status_code == 303
    assert response.headers["location"] == "/privacy"
    page = client.get("/privacy")
    assert "用简单的话说明您的隐私" in page.text
    assert page.headers["content-language"] == "zh-Hans"
