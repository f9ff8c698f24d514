"""The ballot hash chain: an intact chain verifies; any edit, removal or reordering is found
at the ballot where it happened, and the break names that ballot's number."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from linli.consultation import chain


def make_chain(n: int = 5) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    prev = chain.GENESIS
    for seq in range(1, n + 1):
        content = {
            "vote": 7,
            "seq": seq,
            "dwelling": 100 + seq,
            "choice": "yes" if seq % 2 else "no",
            "channel": "paper" if seq == 3 else "online",
            "voter_name": f"业主{seq}",
            "proxy_name": "",
            "document_sha256": hashlib.sha256(b"sheet").hexdigest() if seq == 3 else "",
            "cast_by": 40 + seq,
            "cast_at": f"2026-03-0{seq}T02:00:00+00:00",
        }
        digest = chain.ballot_hash(prev, content)
        rows.append({**content, "prev_hash": prev, "hash": digest})
        prev = digest
    return rows


def test_an_intact_chain_verifies():
    assert chain.verify(make_chain()) is None
    assert chain.verify([]) is None


def test_the_first_ballot_links_to_the_genesis_hash():
    rows = make_chain(1)
    assert rows[0]["prev_hash"] == "0" * 64
    assert len(rows[0]["hash"]) == 64


def test_a_tampered_choice_is_found_at_its_ballot():
    rows = make_chain()
    rows[2]["choice"] = "no"
    broken = chain.verify(rows)
    assert broken is not None
    assert broken.seq == 3
    assert "第 3 张票" in broken.message and "ballot 3" in broken.message
    assert "content does not match its hash" in broken.message


def test_a_removed_ballot_is_found_where_the_gap_is():
    rows = make_chain()
    del rows[1]
    broken = chain.verify(rows)
    assert broken is not None
    assert broken.seq == 3
    assert "sequence should be 2" in broken.message


def test_a_removed_ballot_renumbered_to_hide_the_gap_breaks_the_link():
    rows = make_chain()
    del rows[1]
    for i, row in enumerate(rows, start=1):
        row["seq"] = i
    broken = chain.verify(rows)
    assert broken is not None
    assert broken.seq == 2
    assert "does not link to the previous hash" in broken.message


def test_reordered_ballots_are_found():
    rows = make_chain()
    rows[1]["seq"], rows[2]["seq"] = rows[2]["seq"], rows[1]["seq"]
    rows.sort(key=lambda r: r["seq"])  # as the verifier reads them: by seq
    broken = chain.verify(rows)
    assert broken is not None
    assert broken.seq == 2


def test_a_changed_document_hash_is_found():
    rows = make_chain()
    rows[2]["document_sha256"] = hashlib.sha256(b"another sheet").hexdigest()
    broken = chain.verify(rows)
    assert broken is not None
    assert broken.seq == 3


@pytest.mark.parametrize(
    "field", ["vote", "dwelling", "channel", "voter_name", "proxy_name", "cast_by", "cast_at"]
)
def test_every_hashed_field_is_covered(field):
    rows = make_chain()
    rows[3][field] = "x" if isinstance(rows[3][field], str) else 999
    broken = chain.verify(rows)
    assert broken is not None and broken.seq == 4


def test_an_edited_hash_breaks_its_own_ballot_and_a_recomputed_one_the_next():
    rows = make_chain()
    rows[1]["hash"] = "f" * 64
    assert chain.verify(rows).seq == 2  # type: ignore[union-attr]
    rows = make_chain()
    rows[1]["choice"] = "abstain"
    rows[1]["hash"] = chain.ballot_hash(rows[1]["prev_hash"], rows[1])
    assert chain.verify(rows).seq == 3  # type: ignore[union-attr]


def test_the_canonical_form_is_stable_and_refuses_missing_fields():
    row = make_chain(1)[0]
    reordered = dict(reversed(list(row.items())))
    assert chain.canonical(row) == chain.canonical(reordered)
    assert "业主1".encode() in chain.canonical(row)
    del row["cast_at"]
    with pytest.raises(KeyError):
        chain.canonical(row)
