"""Small text helpers the assembly steps share (newline endings, cutting spans out)."""

from __future__ import annotations

def _ensure_nl(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _remove_ranges(text: str, ranges: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in sorted(ranges):
        if start >= pos:
            out.append(text[pos:start])
            pos = end
        else:
            pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)

