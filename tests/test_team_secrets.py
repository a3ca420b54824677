"""Secrets are masked in every message amkit prints (issue 25): database URLs with a password,
in `init`, in engine errors, in `copy --to`, and in connection strings."""

from __future__ import annotations

import pytest

from amkit.core.text import mask_secrets

SECRET = "s3cr3tPW"


@pytest.mark.parametrize(("text", "masked"), [
    ("postgresql+psycopg://amkit:s3cr3tPW@db.example.com:5432/amkit",
     "postgresql+psycopg://amkit:***@db.example.com:5432/amkit"),
    ("at postgresql://u:p%40ss@h/db (schema m080)", "at postgresql://u:***@h/db (schema m080)"),
    ("raw @ in it: postgresql://u:pa@ss@h/db", "raw @ in it: postgresql://u:***@h/db"),
    ("host=h user=u password=s3cr3tPW dbname=x", "host=h user=u password=*** dbname=x"),
    ("password='a b c' host=h", "password=*** host=h"),
    ("postgresql://u@h/db and li@example.com", "postgresql://u@h/db and li@example.com"),
    ("sqlite:////home/u/amkit.db", "sqlite:////home/u/amkit.db"),
])
def test_mask_secrets(text, masked):
    assert mask_secrets(text) == masked


def _clean(run, code: int, url_shown: bool = True) -> None:  # noqa: ANN001
    assert run.exit_code == code, run.stderr
    assert SECRET not in run.stdout + run.stderr
    assert ("amkit:***@" in run.stderr) == url_shown
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_an_unusable_url_is_reported_without_its_password(cli):
    _clean(cli("--db", f"postgresql+nosuchdriver://amkit:{SECRET}@127.0.0.1/amkit", "customer", "list"), 2)


def test_an_unreachable_server_is_reported_without_its_password(cli):
    _clean(cli("--db", f"postgresql+psycopg://amkit:{SECRET}@127.0.0.1:1/amkit", "customer", "list"), 5, url_shown=False)


def test_copy_to_an_unreachable_server_without_its_password(cli):
    assert cli("manager", "add", "张伟").exit_code == 0
    _clean(cli("copy", "--to", f"postgresql+psycopg://amkit:{SECRET}@127.0.0.1:1/amkit"), 5, url_shown=False)


@pytest.mark.pg_only
def test_init_prints_the_url_with_the_password_masked(sh, env):
    from sqlalchemy.engine import make_url

    url = make_url(env["AMKIT_DATABASE_URL"]).set(password=SECRET).render_as_string(hide_password=False)
    assert SECRET in url
    run = sh("init", extra_env={"AMKIT_DATABASE_URL": url})  # the test server trusts 127.0.0.1
    assert run.exit_code == 0, run.stderr
    assert SECRET not in run.stdout + run.stderr
    assert f"{make_url(url).username}:***@" in run.stderr
