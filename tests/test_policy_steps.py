"""Team-mode policy steps are shipped once and never edited (amkit/admin/teamsetup.py): a
database that ran p002 must never meet a different p002. Each step's statements are pinned
here by hash, taken when the step shipped; refactoring how they are written (p002 and p004
now render their audit-append function from one template) must leave every byte as it was."""

from __future__ import annotations

import hashlib

import pytest

from amkit.admin.teamsetup import POLICY_STEPS

pytestmark = pytest.mark.backend_free  # pure text: runs once, in the SQLite run

SHIPPED = {
    "p001_roles_rls": "136bf04c8dbcca55de0917313e59173c5fc748da5a848b7ae245bdf73456d21b",
    "p002_lockdown": "190c4db37a2d066bc9c30c6750790356baa243aefa9c319af1d547bf3c750b2e",
    "p003_contracts_installments": "4fc86c3f73fa2bc01bebefb41cfa05f72dc50f16e433fd7faff76a6e27b9ce40",
    "p004_audit_runs": "30966ff190ef2c4f3d927f0068c781b0bffbe427db58c4e658bf2f444dc92c13",
}


def test_every_shipped_step_is_byte_identical():  # noqa: ANN201
    got = {name: hashlib.sha256("\n;\n".join(build("amkit_s")).encode()).hexdigest() for name, build in POLICY_STEPS}
    for name, digest in SHIPPED.items():
        assert got[name] == digest, f"{name} changed: add a new step instead of editing a shipped one"


def test_the_two_append_functions_differ_only_by_the_run():  # noqa: ANN201
    steps = dict(POLICY_STEPS)
    append = next(s for s in steps["p002_lockdown"]("s") if "FUNCTION amkit_audit_append(" in s)
    append_run = next(s for s in steps["p004_audit_runs"]("s") if "FUNCTION amkit_audit_append_run(" in s)
    assert append_run.replace("amkit_audit_append_run(", "amkit_audit_append(").replace(
        "    p_run text, p_rows json", "p_rows json").replace(", run)", ")").replace(", p_run)", ")") == append
