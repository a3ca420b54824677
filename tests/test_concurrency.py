"""8 amkit processes writing at once: every row lands, nothing fails with 'database is locked'."""

from __future__ import annotations

import os
import subprocess
import sys

WORKER = """
import sys
from typer.main import get_command
from amkit.cli import app

command = get_command(app)
worker = sys.argv[1]
failures = 0
for i in range(int(sys.argv[2])):
    code = command.main(["followup", "log", "共享客户", "--channel", "call", "--summary", f"w{worker}-{i}"],
                        prog_name="amkit", standalone_mode=False)
    failures += code != 0
print(failures)
"""


def test_eight_processes_each_logging_200_followups(cli, env, sql):
    assert cli("customer", "add", "共享客户").exit_code == 0
    per_worker, workers = 200, 8
    proc_env = {**os.environ, **env}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(w), str(per_worker)], env=proc_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(workers)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for (out, err), p in zip(outputs, procs):
        assert p.returncode == 0, err
        assert out.strip().splitlines()[-1] == "0", err  # the ids it printed, then its failure count
        assert "locked" not in err
    assert sql("SELECT count(*) FROM followups") == [(workers * per_worker,)]
    summaries = {row[0] for row in sql("SELECT summary FROM followups")}
    assert summaries == {f"w{w}-{i}" for w in range(workers) for i in range(per_worker)}
    assert cli("audit", "verify", "--chain-only").exit_code == 0
