"""Text from a case log or a ruleset, made safe to print on a terminal line.

Ids, notes and reasons come from files crsrules does not control: a newline inside an id could
forge a line of the table, and an ANSI escape could recolour or erase it. :func:`printable`
shows every control character (C0, DEL, C1, and the bidirectional overrides that reorder text)
as a visible escape such as ``\\n`` or ``\\x1b``.
"""
from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI = [*range(0x200E, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_TABLE = {code: _NAMED.get(chr(code), f"\\x{code:02x}") for code in [*range(0x20), *range(0x7F, 0xA0)]}
_TABLE.update({code: f"\\u{code:04x}" for code in _BIDI})
_TABLE[ord("\\")] = "\\\\"


def printable(text: str) -> str:
    """``text`` with control characters (and backslashes) escaped; plain text is unchanged."""
    return text.translate(_TABLE)


def utf8_text(text: str) -> str:
    """``text`` with what cannot be written as UTF-8 (a file name's bytes that are not UTF-8, which Python
    holds as lone surrogates) shown as ``\\xNN``; UTF-8 text is unchanged."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
