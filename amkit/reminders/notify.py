"""Webhook digests for ``amkit remind --notify URL --via ...`` (SPEC §3.4, issue 4).

Message formats follow each service's custom/group bot documentation:

* wecom (企业微信群机器人): ``{"msgtype": "markdown", "markdown": {"content": md}}``,
  content at most 4096 bytes; replies ``{"errcode": 0, "errmsg": "ok"}``.
* dingtalk (钉钉自定义机器人): ``{"msgtype": "markdown", "markdown": {"title", "text"}}``;
  replies ``{"errcode": 0, ...}``.
* feishu (飞书自定义机器人): rich text ``{"msg_type": "post", "content": {"post": {"zh_cn":
  {"title", "content": [[{"tag": "text", "text"}], ...]}}}}``; replies ``{"code": 0}``
  (older bots ``{"StatusCode": 0}``).
* slack (incoming webhook): ``{"text": fallback, "blocks": [header, section(mrkdwn)]}``,
  section text at most 3000 characters; replies ``ok``.
* generic: ``{"owner", "title", "count", "reminders": [SPEC §3.4 rows]}``.

Long digests are cut to the service's size limit with a "… +N more" line. The webhook URL
carries a secret token, so errors name only its host.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import httpx

from amkit import config
from amkit.errors import BadInput, ServiceError, bad_value
from amkit.reminders.calc import Reminder, group_by_owner, owner_label, status_label

VIAS = ("wecom", "dingtalk", "feishu", "slack", "generic")
# Services that answer HTTP 200 with an error code in the body.
BODY_CODED = ("wecom", "dingtalk", "feishu")
RETRY_AFTER_CAP = 30.0


# ---------------------------------------------------------------- message builders

def _line(r: Reminder, lang: str, bold: Callable[[str], str]) -> str:
    who = r.customer or "-"
    return f"- {bold(status_label(r, lang))} {r.due.isoformat()} {r.kind} {who}: {r.reason}"


def _fit(lines: list[str], limit: int, size: Callable[[str], int]) -> str:
    """Join lines, dropping the tail (with a '… +N more' line) to stay within ``limit``."""
    text = "\n".join(lines)
    kept = len(lines)
    while kept and size(text) > limit:
        kept -= 1
        text = "\n".join(lines[:kept] + [f"… +{len(lines) - kept} more"])
    return text


def _utf8(s: str) -> int:
    return len(s.encode("utf-8"))


def _markdown(title, reminders, lang, limit):
    lines = [f"### {title}"] + [_line(r, lang, lambda s: f"**{s}**") for r in reminders]
    return _fit(lines, limit, _utf8)


def _wecom(owner, reminders, title, lang):
    return {"msgtype": "markdown",
            "markdown": {"content": _markdown(title, reminders, lang, 4000)}}


def _dingtalk(owner, reminders, title, lang):
    return {"msgtype": "markdown",
            "markdown": {"title": title, "text": _markdown(title, reminders, lang, 15000)}}


def _feishu(owner, reminders, title, lang):
    lines = _fit([_line(r, lang, str) for r in reminders], 15000, _utf8).split("\n")
    return {"msg_type": "post",
            "content": {"post": {"zh_cn": {"title": title, "content": [
                [{"tag": "text", "text": line}] for line in lines]}}}}


def _slack_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack(owner, reminders, title, lang):
    lines = [_slack_escape(_line(r, lang, lambda s: f"*{s}*")) for r in reminders]
    body = _fit(lines, 3000, len) or "-"
    return {"text": f"{title} ({len(reminders)})",
            "blocks": [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
                       {"type": "section", "text": {"type": "mrkdwn", "text": body}}]}


def _generic(owner, reminders, title, lang):
    return {"owner": owner, "title": title, "count": len(reminders),
            "reminders": [r.to_dict() for r in reminders]}


BUILDERS = {"wecom": _wecom, "dingtalk": _dingtalk, "feishu": _feishu, "slack": _slack,
            "generic": _generic}


def check_via(via: str) -> str:
    if via not in BUILDERS:
        raise bad_value("--via", via, "expected one of " + ", ".join(VIAS))
    return via


def check_url(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise bad_value("--notify", url, "expected an http(s) webhook URL")
    return url


def build_payload(via: str, owner: str | None, reminders: Iterable[Reminder], title: str,
                  lang: str = "en") -> dict:
    """The JSON body posting one owner's digest to ``via``."""
    return BUILDERS[check_via(via)](owner, list(reminders), title, lang)


def document_payload(via: str, title: str, markdown: str, data: dict | None = None) -> dict:
    """The JSON body posting a whole markdown document (``amkit review --notify``) to ``via``,
    cut to the service's size limit like the digests; generic also carries ``data``."""
    lines = markdown.rstrip("\n").split("\n")
    via = check_via(via)
    if via == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": _fit(lines, 4000, _utf8)}}
    if via == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": _fit(lines, 15000, _utf8)}}
    if via == "feishu":
        kept = _fit(lines, 15000, _utf8).split("\n")
        return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": title, "content": [
            [{"tag": "text", "text": line}] for line in kept]}}}}
    if via == "slack":
        body = _fit([_slack_escape(line) for line in lines], 3000, len) or "-"
        return {"text": title, "blocks": [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
                                          {"type": "section", "text": {"type": "mrkdwn", "text": body}}]}
    return {"title": title, "markdown": markdown, **({"data": data} if data is not None else {})}


# ---------------------------------------------------------------- sending

def _host(url: str) -> str:
    u = httpx.URL(url)
    return f"{u.host}:{u.port}" if u.port else u.host


def _body_error(resp: httpx.Response) -> str | None:
    """'errcode 310000: keywords not in content' for a bot's in-body failure, else None."""
    try:
        body = resp.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for code_key, msg_key in (("errcode", "errmsg"), ("code", "msg"),
                              ("StatusCode", "StatusMessage")):
        code = body.get(code_key)
        if isinstance(code, int) and not isinstance(code, bool) and code != 0:
            return f"{code_key} {code}: {body.get(msg_key, '')}".rstrip(": ")
    return None


def _retry_after(resp: httpx.Response) -> float:
    try:
        return min(float(resp.headers.get("retry-after", 0)), RETRY_AFTER_CAP)
    except ValueError:
        return 0.0


class _Deadline:
    """The total time one webhook send may take, connect to last byte and every retry.

    httpx timeouts are per operation (each read may wait the whole timeout again), so a server
    dripping one header line a second would never time out. A timer shuts the request's socket
    down when the deadline passes; the blocked read then fails and the send stops. The socket
    comes from httpcore's documented "trace" extension (connect_tcp / start_tls complete)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list = []
        self._lock = threading.Lock()

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with self._lock:
                    self._sockets.append(sock)
                    if self.expired:
                        _shut(sock)

    def fire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    @contextmanager
    def watching(self) -> Iterator[None]:
        timer = threading.Timer(self.left(), self.fire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            with self._lock:
                self._sockets.clear()


def _shut(sock) -> None:  # noqa: ANN001
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def _attempt(client, url, content, deadline: _Deadline, check_body) -> tuple[str | None, bool, float]:
    """One POST -> (error or None, retryable, server-requested delay). A fresh connection each
    time (Connection: close), so the deadline's timer always knows the socket to shut."""
    try:
        with deadline.watching():
            resp = client.post(url, content=content, timeout=max(deadline.left(), 0.001),
                               headers={"Content-Type": "application/json; charset=utf-8", "Connection": "close"},
                               extensions={"trace": deadline.trace})
    except httpx.TransportError as exc:
        if deadline.expired or not deadline.left():
            deadline.expired = True
            return "deadline passed", False, 0.0
        return f"{type(exc).__name__}: {exc}".rstrip(": "), True, 0.0
    if resp.status_code == 429 or resp.status_code >= 500:
        return f"HTTP {resp.status_code}", True, _retry_after(resp)
    if not resp.is_success:
        detail = resp.text.strip().replace("\n", " ")[:200]
        return f"HTTP {resp.status_code} {detail}".rstrip(), False, 0.0
    error = _body_error(resp) if check_body else None
    return (f"HTTP {resp.status_code}, {error}" if error else None), False, 0.0


def send(url: str, payload: dict, timeout: float = 10, retries: int = 3, backoff: float = 0.5,
         client: httpx.Client | None = None, via: str | None = None) -> None:
    """POST ``payload`` as UTF-8 JSON; ServiceError (exit 5) naming host and status on failure.

    ``timeout`` (config ``notify.timeout``) is a total deadline for the whole send: connecting,
    sending, every byte of the reply and every retry; when it passes the send fails at once,
    however slowly the server keeps talking. Within it, connection errors, 429 and 5xx are
    retried ``retries`` more times, sleeping ``backoff * 2**n`` (or the server's Retry-After,
    capped at 30 s). Other 4xx, and a 2xx whose body carries ``errcode``/``code``/``StatusCode``
    != 0 (checked for wecom, dingtalk, feishu, or when ``via`` is None), fail at once.
    """
    check_url(url)
    content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    own = client is None
    client = client or httpx.Client()
    check_body = via is None or via in BODY_CODED
    deadline = _Deadline(timeout)
    late = ServiceError(f"webhook {_host(url)} did not answer within {timeout:g} s (notify.timeout)")
    try:
        for n in range(retries + 1):
            if not deadline.left():
                raise late
            error, retryable, delay = _attempt(client, url, content, deadline, check_body)
            if error is None:
                return
            if deadline.expired:
                raise late
            if not retryable:
                raise ServiceError(f"webhook {_host(url)} rejected the message: {error}")
            if n < retries:
                pause = max(backoff * 2 ** n, delay)
                if pause >= deadline.left():
                    raise late
                time.sleep(pause)
        raise ServiceError(f"webhook {_host(url)} failed after {retries + 1} tries: {error}")
    finally:
        if own:
            client.close()


@dataclass
class NotifySummary:
    sent: int = 0
    failures: list[tuple[str | None, str]] = field(default_factory=list)


def notify_all(url: str, via: str, groups: dict[str | None, list[Reminder]],
               title: str = "amkit reminders", lang: str = "en", **send_options) -> NotifySummary:
    """Post one digest per owner; keep going after a failure, then raise ServiceError.

    The raised error lists every failed owner in ``details`` and carries the summary as
    ``.summary``. Owners without reminders get no message.
    """
    check_via(via)
    check_url(url)
    summary = NotifySummary()
    own = send_options.get("client") is None
    client = send_options.pop("client", None) or httpx.Client()
    try:
        for owner, reminders in groups.items():
            if not reminders:
                continue
            payload = build_payload(via, owner, reminders,
                                    f"{title} · {owner_label(owner, lang)}", lang)
            try:
                send(url, payload, client=client, via=via, **send_options)
                summary.sent += 1
            except ServiceError as exc:
                summary.failures.append((owner, exc.message))
    finally:
        if own:
            client.close()
    if summary.failures:
        total = summary.sent + len(summary.failures)
        err = ServiceError(f"{len(summary.failures)} of {total} webhook digests failed: "
                           f"{summary.failures[0][1]}",
                           details=[f"{owner_label(o, lang)}: {m}" for o, m in summary.failures])
        err.summary = summary
        raise err
    return summary


# ---------------------------------------------------------------- the reminder digest

def notify(url: str, via: str, reminders: list[Reminder], today: dt.date, lang: str) -> int:
    """One digest per owner; returns how many were sent. ServiceError (exit 5) on failure."""
    from amkit.ui.i18n import t

    options = notify_options()
    title = t("amkit reminders {date}", date=today.isoformat())
    summary = notify_all(url, via, group_by_owner(reminders), title=title, lang=lang, **options)
    return summary.sent


def notify_options() -> dict:
    """timeout/retries/backoff from config ``notify.*`` (defaults in amkit.config)."""
    section = config.merged().get("notify") or {}
    out = {}
    for key, kind in (("timeout", float), ("retries", int), ("backoff", float)):
        try:
            value = kind(section[key])
        except (KeyError, TypeError, ValueError):
            raise BadInput(f"invalid config notify.{key} {section.get(key)!r}: expected a number") from None
        if value < 0:
            raise bad_value(f"notify.{key}", value, "must not be negative")
        out[key] = value
    return out
