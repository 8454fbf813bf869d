"""Untrusted text going into the indexes: flag injection markers, drop hidden characters.

The marker detector is the store's (:func:`kambot.store.importers.untrusted.scan_text`),
so that an activity flagged at import and a chunk flagged at indexing agree. This module
adds what indexing needs on top: removing the characters a reader cannot see before the
text is tokenised, embedded and shown in a citation.
"""

from __future__ import annotations

import unicodedata


def scan_untrusted(text: str) -> list[str]:
    """Return the injection markers found in a text (empty when none).

    Args:
        text: untrusted text (a note, an uploaded file's text).

    Returns:
        Flag names such as ``zero_width``, ``unicode_tags``, ``bidi_override``,
        ``instruction_override``, ``system_prompt``, ``role_marker``.
    """
    # Imported here: the importers package pulls in the whole import machinery
    # (SQLAlchemy included), which chunking the methodology corpus does not need.
    from kambot.store.importers.untrusted import scan_text

    return list(scan_text(text).flags)


def strip_hidden(text: str) -> str:
    """Remove invisible format characters (zero-width, bidi controls, tag characters).

    Every character of Unicode category ``Cf`` goes: they render as nothing, and they are
    how hidden instructions and split-up keywords are smuggled past a human reader.
    Line breaks and tabs are kept.

    Args:
        text: untrusted text.

    Returns:
        The text as a reader sees it.
    """
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
