"""The audit log's hashes are computed the fast way (issue 11: one payload per imported row);
they must stay exactly the documented ones, or `audit verify` would break on older logs:
    payload_hash = sha256(salt + canonical({"before": …, "after": …}))
    hash = sha256(previous + canonical({"at", "who", "command", "action", "table_name", "row_id",
                                        "payload_hash"}))
where canonical = json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from amkit.store.audit import _canonical, chain_hash, payload_hash


def canonical(data):
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=4),
                      max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(values, values, st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))
def test_canonical_and_payload_hash_are_the_documented_ones(before, after, salt):
    assert _canonical(before) == canonical(before)
    assert payload_hash(salt, before, after) == sha(salt + canonical({"before": before, "after": after}))


def test_values_json_cannot_hold_are_written_as_text():
    data = {"d": dt.date(2026, 11, 23), "n": Decimal("53.00"), "t": dt.datetime(2026, 1, 2, 3, 4, 5)}
    assert _canonical(data) == '{"d":"2026-11-23","n":"53.00","t":"2026-01-02 03:04:05"}' == canonical(data)


@settings(max_examples=200, deadline=None)
@given(text, text, text, text, text, st.none() | st.integers(), text)
def test_chain_hash_is_the_documented_one(at, who, command, action, table, row_id, p_hash):
    meta = {"at": at, "who": who, "command": command, "action": action, "table_name": table,
            "row_id": row_id, "payload_hash": p_hash}
    assert chain_hash("0" * 64, at, who, command, action, table, row_id, p_hash) == sha("0" * 64 + canonical(meta))


def test_stored_payloads_rehash_to_their_payload_hash(cli, sql):
    """Read back by raw SQL, each entry's before/after and salt give its payload hash again."""
    assert cli("customer", "add", "华信科技", "--tier", "A").exit_code == 0
    assert cli("customer", "edit", "华信科技", "--tier", "B").exit_code == 0
    rows = sql("SELECT salt, before, after, payload_hash FROM audit_log ORDER BY id")
    assert len(rows) >= 2
    for salt, before, after, p_hash in rows:
        data = {"before": None if before is None else json.loads(before),
                "after": None if after is None else json.loads(after)}
        assert sha(salt + canonical(data)) == p_hash
