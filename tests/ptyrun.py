"""Run a command on a real pseudo-terminal of a given size (not $COLUMNS): what a person in an
80- or 120-column terminal sees. Shared by the terminal-fit and help tests."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_on_pty(args: list[str], columns: int, env: dict[str, str], rows: int = 50,
               typed: str | None = None) -> tuple[int, str]:
    """(exit code, what the terminal received without colour codes, newlines as \\n); TYPED is
    what a person types once the command asks (e.g. "n\\n" at a y/N prompt)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    clean = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "amkit", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=clean, close_fds=True)
    os.close(slave)
    if typed is not None:
        os.write(master, typed.encode())
    chunks = []
    while True:
        try:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                break
            chunk = os.read(master, 65536)
        except OSError:  # the slave side closed (Linux: EIO)
            break
        if not chunk:
            break
        chunks.append(chunk)
    code = proc.wait()
    os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return code, ANSI.sub("", text)
