"""The ballot hash chain: each ballot's hash covers the previous hash and its own content, so
changing, removing or reordering any stored ballot breaks every hash after it.

Pure functions over plain values; the service stores ``prev_hash``/``hash`` and the
``linli consultation verify-ballots`` command re-computes the chain from the stored rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The first ballot's ``prev_hash``: 64 zeros.
GENESIS = "0" * 64

#: The ballot fields the hash covers, in this order.
FIELDS = (
    "vote",
    "seq",
    "dwelling",
    "choice",
    "channel",
    "voter_name",
    "proxy_name",
    "document_sha256",
    "cast_by",
    "cast_at",
)


def canonical(content: Mapping[str, Any]) -> bytes:
    """The ballot's content as canonical JSON (sorted keys, no spaces, UTF-8)."""
    missing = [name for name in FIELDS if name not in content]
    if missing:
        raise KeyError(f"ballot content lacks {', '.join(missing)}")
    values = {name: content[name] for name in FIELDS}
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def ballot_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(content)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops verifying, and why."""

    seq: int
    reason_zh: str
    reason_en: str

    @property
    def message(self) -> str:
        return f"第 {self.seq} 张票:{self.reason_zh} (ballot {self.seq}: {self.reason_en})"


def verify(rows: Iterable[Mapping[str, Any]]) -> ChainBreak | None:
    """The first break in a vote's chain (rows in ``seq`` order, each with its content plus
    ``prev_hash`` and ``hash``), or None when every link holds."""
    expected_prev = GENESIS
    expected_seq = 1
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            return ChainBreak(seq, f"序号应为 {expected_seq}", f"sequence should be {expected_seq}")
        if row["prev_hash"] != expected_prev:
            return ChainBreak(seq, "与前一张票的哈希不衔接", "does not link to the previous hash")
        if ballot_hash(row["prev_hash"], row) != row["hash"]:
            return ChainBreak(seq, "内容与哈希不符(已被改动)", "content does not match its hash")
        expected_prev = row["hash"]
        expected_seq += 1
    return None
