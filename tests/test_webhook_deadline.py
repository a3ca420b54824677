"""Issue 25: `notify.timeout` is a total deadline for each webhook send. A real local server
that drips one header line a second (every read succeeds, so per-read timeouts never fire)
cannot hang `remind --notify`: it exits 5 with the deadline named."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest
from test_remind_cli import seed


class Drip:
    """A socket server that reads the request, then sends a status line and one header line a
    second, forever (until the client goes away or the test ends)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook?key=SECRET"
        self.stop = threading.Event()
        self.connections = 0
        self.lines_sent = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                n = 0
                while not self.stop.wait(1.0):
                    conn.sendall(f"X-Drip-{n}: {'.' * 10}\r\n".encode())
                    self.lines_sent += 1
                    n += 1
            except OSError:
                return  # the client hung up

    def __enter__(self) -> "Drip":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        self.server.close()


def test_send_gives_up_at_the_total_deadline():
    from amkit.errors import ServiceError
    from amkit.reminders.notify import send

    with Drip() as drip:
        with pytest.raises(ServiceError) as info:
            send(drip.url, {"text": "x"}, timeout=2.5, retries=3, backoff=0.01)
    assert info.value.exit_code == 5
    assert info.value.message == f"webhook 127.0.0.1:{drip.port} did not answer within 2.5 s (notify.timeout)"
    assert drip.connections == 1  # no retry once the deadline has passed
    assert drip.lines_sent >= 1  # the server was dripping: each read on its own succeeded


def test_remind_notify_exits_5_with_one_line_when_the_webhook_drips(cli, env, tmp_path):
    seed(cli, tmp_path)
    assert cli("config", "set", "notify.timeout", "2").exit_code == 0
    with Drip() as drip:
        # the guard is generous; without the total deadline remind would wait forever
        done = subprocess.run([sys.executable, "-m", "amkit", "remind", "--notify", drip.url, "--via", "generic",
                               "--owner", "张伟"], env={**os.environ, **env}, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 5, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0] == (f"amkit: 1 of 1 webhook digests failed: webhook 127.0.0.1:{drip.port} did not answer "
                        f"within 2 s (notify.timeout)")
    assert "SECRET" not in done.stderr
    assert done.stdout.startswith("== 张伟 (3) ==")  # the digest is still printed
