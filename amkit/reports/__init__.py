"""Rendering of rows for every command: table (Rich on a TTY, plain on a pipe), json, csv."""
