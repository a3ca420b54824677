"""Webhook digests for ``amkit remind --notify URL --via ...`` (SPEC §3.4, issue 4) and the
review (``amkit review --notify``), in the form each chat app renders (issue 23).

Message formats follow each service's custom/group bot documentation:

* wecom (企业微信群机器人): ``{"msgtype": "markdown", "markdown": {"content": md}}``; WeCom's
  markdown has headings, bold, lists, ``<font color="warning|info|comment">`` and ``<@userid>``
  mentions but no tables; content at most 4096 bytes. A manager known only by mobile is
  mentioned by a ``text`` message with ``mentioned_mobile_list`` before the digest (markdown
  cannot mention a mobile). Replies ``{"errcode": 0, "errmsg": "ok"}``.
* dingtalk (钉钉自定义机器人): ``{"msgtype": "markdown", "markdown": {"title", "text"},
  "at": {"atMobiles", "atUserIds", "isAtAll": false}}``; a mention needs both ``at`` and
  ``@mobile`` in the text. Replies ``{"errcode": 0, ...}``.
* feishu (飞书自定义机器人): an interactive card ``{"msg_type": "interactive", "card": {"header",
  "elements": [{"tag": "div", "text": {"tag": "lark_md", "content"}}]}}``; replies ``{"code": 0}``
  (older bots ``{"StatusCode": 0}``). No mention: a card needs the Feishu open_id.
* slack (incoming webhook): ``{"text": fallback, "blocks": [header, section(mrkdwn)]}``,
  section text at most 3000 characters; replies ``ok``. No mention: Slack needs its member id.
* generic: ``{"owner", "title", "count", "reminders": [SPEC §3.4 rows]}`` (one message, never split).

A digest or document longer than a service's limit is split into several messages posted in
order, each titled "(2/3)": nothing is dropped (a single over-long line is cut into pieces).
The webhook URL carries a secret token, so errors name only its host.
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


def _utf8(s: str) -> int:
    return len(s.encode("utf-8"))


@dataclass(frozen=True)
class Service:
    """One chat app's message limit (``size`` counts what the app counts) and markup."""

    limit: int
    size: Callable[[str], int]


SERVICES = {"wecom": Service(4096, _utf8), "dingtalk": Service(15000, _utf8), "feishu": Service(15000, _utf8),
            "slack": Service(3000, len)}


@dataclass(frozen=True)
class Mention:
    """Who to @-mention in a manager's own digest (``managers.mobile/wecom_userid/dingtalk_userid``)."""

    mobile: str | None = None
    wecom_userid: str | None = None
    dingtalk_userid: str | None = None

    @classmethod
    def of(cls, row: dict | None) -> "Mention | None":
        if not row or not any(row.get(k) for k in ("mobile", "wecom_userid", "dingtalk_userid")):
            return None
        return cls(row.get("mobile") or None, row.get("wecom_userid") or None, row.get("dingtalk_userid") or None)


# ---------------------------------------------------------------- markup per service
# Builders write one small markdown dialect (``### heading``, ``**bold**``, ``- item``) and
# ``_markup`` turns it into each app's form.

_COLOUR = {"overdue": "warning", "today": "info", "upcoming": "comment"}


def _status(r: Reminder, lang: str, via: str) -> str:
    label = status_label(r, lang)
    if via == "wecom":
        tone = "overdue" if r.days_overdue > 0 else "today" if r.days_overdue == 0 else "upcoming"
        return f'<font color="{_COLOUR[tone]}">{label}</font>'
    return f"**{label}**"


def _line(r: Reminder, lang: str, via: str) -> str:
    who = r.customer or "-"
    return f"- {_status(r, lang, via)} {r.due.isoformat()} {r.kind} {who}: {r.reason}"


def _slack_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(line: str, via: str) -> str:
    """One dialect line in ``via``'s form: Feishu's lark_md and Slack's mrkdwn have no headings
    (bold instead), Slack bolds with single stars and needs &, <, > escaped."""
    if via in ("wecom", "dingtalk"):
        return line
    if line.startswith("#"):
        line = "**" + line.lstrip("#").strip() + "**"
    if via == "slack":
        return _slack_escape(line).replace("**", "*")
    return line


def _pieces(line: str, room: int, size: Callable[[str], int]) -> list[str]:
    """A line cut into parts of at most ``room`` (only a line longer than a whole message)."""
    out = []
    while size(line) > room:
        cut = room
        while cut > 1 and size(line[:cut]) > room:
            cut -= max(1, (size(line[:cut]) - room) // 4)
        out.append(line[:cut])
        line = line[cut:]
    return out + [line]


def split(lines: list[str], service: Service, heading: Callable[[int, int], str]) -> list[str]:
    """Pack ``lines`` in order into messages within ``service.limit``, each starting with
    ``heading(i, n)``: nothing is dropped."""
    reserve = service.size(heading(999, 999)) + 1
    room = service.limit - reserve
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        for piece in _pieces(line, room - 1, service.size):
            cost = service.size(piece) + 1
            if chunks[-1] and used + cost > room:
                chunks.append([])
                used = 0
            chunks[-1].append(piece)
            used += cost
    n = len(chunks)
    return ["\n".join([heading(i, n)] + chunk) for i, chunk in enumerate(chunks, start=1)]


def numbered(title: str, i: int, n: int) -> str:
    return title if n == 1 else f"{title} ({i}/{n})"


def messages(via: str, title: str, lines: list[str], mention: Mention | None = None) -> list[dict]:
    """The JSON bodies posting ``lines`` (the markdown dialect above) to ``via``, split to fit."""
    via = check_via(via)
    service = SERVICES[via]
    body = [_markup(line, via) for line in lines]
    out: list[dict] = []
    if via == "wecom":
        if mention and mention.wecom_userid:
            body.insert(0, f"<@{mention.wecom_userid}>")
        elif mention and mention.mobile:
            out.append({"msgtype": "text", "text": {"content": title, "mentioned_mobile_list": [mention.mobile]}})
        for text in split(body, service, lambda i, n: f"### {numbered(title, i, n)}"):
            out.append({"msgtype": "markdown", "markdown": {"content": text}})
    elif via == "dingtalk":
        at = {"atMobiles": [mention.mobile] if mention and mention.mobile else [],
              "atUserIds": [mention.dingtalk_userid] if mention and mention.dingtalk_userid else [],
              "isAtAll": False}
        if at["atMobiles"]:
            body.insert(0, f"@{mention.mobile}")
        elif at["atUserIds"]:
            body.insert(0, f"@{mention.dingtalk_userid}")
        for i, text in enumerate(split(body, service, lambda i, n: f"### {numbered(title, i, n)}")):
            out.append({"msgtype": "markdown", "markdown": {"title": title, "text": text},
                        **({"at": at} if i == 0 and (at["atMobiles"] or at["atUserIds"]) else {})})
    elif via == "feishu":
        texts = split(body, service, lambda i, n: "")
        n = len(texts)
        for i, text in enumerate(texts, start=1):
            out.append({"msg_type": "interactive", "card": {
                "config": {"wide_screen_mode": True},
                "header": {"template": "orange", "title": {"tag": "plain_text", "content": numbered(title, i, n)}},
                "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": text.lstrip("\n") or "-"}}]}})
    else:  # slack
        texts = split(body, service, lambda i, n: "")
        n = len(texts)
        for i, text in enumerate(texts, start=1):
            head = numbered(title, i, n)
            out.append({"text": head, "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": head[:150]}},
                {"type": "section", "text": {"type": "mrkdwn", "text": text.lstrip("\n") or "-"}}]})
    return out


def build_payloads(via: str, owner: str | None, reminders: Iterable[Reminder], title: str,
                   lang: str = "en", mention: Mention | None = None) -> list[dict]:
    """The JSON bodies posting one owner's digest to ``via`` (several when it is long)."""
    reminders = list(reminders)
    if check_via(via) == "generic":
        return [{"owner": owner, "title": title, "count": len(reminders),
                 "reminders": [r.to_dict() for r in reminders]}]
    return messages(via, title, [_line(r, lang, via) for r in reminders], mention)


def document_payloads(via: str, title: str, lines: list[str], data: dict | None = None) -> list[dict]:
    """The JSON bodies posting a document (``amkit review --notify``: headline and sections as
    lists, in the markdown dialect above) to ``via``; generic gets one body with ``data``."""
    if check_via(via) == "generic":
        return [{"title": title, "markdown": "\n".join(lines) + "\n", **({"data": data} if data is not None else {})}]
    return messages(via, title, lines)


def check_via(via: str) -> str:
    if via not in VIAS:
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
               title: str = "amkit reminders", lang: str = "en", mentions: dict[str, dict] | None = None,
               **send_options) -> NotifySummary:
    """Post one digest per owner (several messages, in order, when it is long), @-mentioning the
    owner where ``mentions`` (name → managers' mobile/wecom_userid/dingtalk_userid) knows how;
    keep going after a failure, then raise ServiceError.

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
            payloads = build_payloads(via, owner, reminders, f"{title} · {owner_label(owner, lang)}", lang,
                                      Mention.of((mentions or {}).get(owner)) if owner else None)
            try:
                for payload in payloads:
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

def notify(url: str, via: str, reminders: list[Reminder], today: dt.date, lang: str,
           mentions: dict[str, dict] | None = None) -> int:
    """One digest per owner; returns how many were sent. ServiceError (exit 5) on failure."""
    from amkit.ui.i18n import t

    options = notify_options()
    title = t("amkit reminders {date}", date=today.isoformat())
    summary = notify_all(url, via, group_by_owner(reminders), title=title, lang=lang, mentions=mentions, **options)
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
