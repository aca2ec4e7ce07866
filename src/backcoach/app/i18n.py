"""English and Simplified Chinese: catalogues, language choice and the gettext used by templates.

Catalogues live as ``.po`` files in ``locale/`` and are compiled in memory when first used, so no
compiled ``.mo`` can drift from its source. English is the source language (msgid = English).
"""

from __future__ import annotations

import gettext as gettext_module
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
#: Language codes the app speaks, with the name each language uses for itself.
LOCALES = {"en": "English", "zh_Hans": "简体中文"}
LANG_COOKIE = "lang"

# Browsers send zh-CN, zh-SG or zh-Hans; all of them read Simplified Chinese.
_ALIASES = {"zh": "zh_Hans", "zh_cn": "zh_Hans", "zh_sg": "zh_Hans", "zh_hans": "zh_Hans"}

_current: ContextVar[str] = ContextVar("backcoach_locale", default=DEFAULT_LOCALE)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translated where shown)."""
    return message


def normalise_locale(code: str | None) -> str | None:
    """Map ``zh-CN``, ``zh_Hans``, ``en-GB``... to a supported code, or None."""
    if not code:
        return None
    key = code.strip().replace("-", "_").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    for supported in LOCALES:
        if key == supported.lower() or key.split("_")[0] == supported.lower():
            return supported
    if key.startswith("zh_") and "hant" not in key and key not in {"zh_tw", "zh_hk", "zh_mo"}:
        return "zh_Hans"
    return None


def choose_locale(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language if supported, else the browser's best match, else English."""
    chosen = normalise_locale(cookie)
    if chosen:
        return chosen
    preferred = []
    for part in (accept_language or "").split(","):
        code = normalise_locale(part.split(";")[0])
        if code:
            preferred.append(code)
    return negotiate_locale(preferred, list(LOCALES)) or DEFAULT_LOCALE


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The compiled catalogue of ``locale`` (English returns the messages unchanged)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == DEFAULT_LOCALE or not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=Locale.parse(locale))
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def set_locale(locale: str) -> None:
    """Make ``locale`` the language of ``gettext`` in the current context (one request)."""
    _current.set(locale)


def current_locale() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def html_lang(locale: str) -> str:
    """The BCP 47 tag for ``<html lang>`` (``zh-Hans``)."""
    return locale.replace("_", "-")
