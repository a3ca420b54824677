"""Webhook notifier against a real local HTTP server (no mocks): formats, retries, failures."""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from amkit.errors import BadInput, ServiceError
from amkit.reminders.notify import build_payloads, notify_all, send


def build_payload(via, owner, rows, title):
    [payload] = build_payloads(via, owner, rows, title)  # a short digest is one message
    return payload
from amkit.reminders.calc import Reminder, group_by_owner

FAST = {"backoff": 0.001, "timeout": 5}

ROWS = [
    Reminder("next_action", "中国银行", "张三", date(2026, 5, 15), 5, "next action: 发报价"),
    Reminder("birthday", "工商银行", "张三", date(2026, 5, 22), -2, "birthday of 李四",
             contact="李四"),
    Reminder("cadence", "ACME <&>", "Bob", date(2026, 5, 20), 0, "tier A cadence 7d"),
]


class Hook:
    """A local webhook: records each request, answers from a script of (status, body)."""

    def __init__(self, script=None, default=(200, '{"errcode": 0, "errmsg": "ok"}')):
        self.script, self.default, self.requests = list(script or []), default, []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "json": json.loads(body.decode("utf-8"))})
                status, text = hook.script.pop(0) if hook.script else hook.default
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook?key=SECRET"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.01}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def post_one(via, rows=ROWS[:2], **kw):
    with Hook(**kw) as hook:
        send(hook.url, build_payload(via, "张三", rows, "提醒 · 张三"), via=via, **FAST)
    assert len(hook.requests) == 1
    req = hook.requests[0]
    assert req["path"] == "/hook?key=SECRET"
    assert req["headers"]["Content-Type"].startswith("application/json")
    return req["json"]


def test_wecom_markdown_body():
    body = post_one("wecom")
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert set(body["markdown"]) == {"content"}
    assert content.startswith("### 提醒 · 张三\n")
    assert '- <font color="warning">overdue 5d</font> 2026-05-15 next_action 中国银行: next action: 发报价' in content
    assert '<font color="comment">in 2d</font>' in content


def test_dingtalk_markdown_body():
    body = post_one("dingtalk")
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "提醒 · 张三"
    assert "中国银行" in body["markdown"]["text"] and "李四" in body["markdown"]["text"]


def test_feishu_interactive_card_body():
    body = post_one("feishu", default=(200, '{"code": 0, "msg": "success", "data": {}}'))
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["title"] == {"tag": "plain_text", "content": "提醒 · 张三"}
    [element] = card["elements"]
    assert element["tag"] == "div" and element["text"]["tag"] == "lark_md"
    assert "- **overdue 5d** 2026-05-15 next_action 中国银行" in element["text"]["content"]


def test_slack_blocks_body_escapes_markup():
    with Hook(default=(200, "ok")) as hook:
        send(hook.url, build_payload("slack", "Bob", ROWS[2:], "Reminders · Bob"), via="slack",
             **FAST)
    body = hook.requests[0]["json"]
    assert body["text"] == "Reminders · Bob"
    header, section = body["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Reminders · Bob"}}
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "*today*" in section["text"]["text"]
    assert "ACME &lt;&amp;&gt;" in section["text"]["text"]


def test_generic_body_uses_spec_rows():
    body = post_one("generic", default=(200, "{}"))
    assert body["owner"] == "张三" and body["title"] == "提醒 · 张三" and body["count"] == 2
    assert body["reminders"][0] == {"kind": "next_action", "customer": "中国银行",
                                    "owner": "张三", "due": "2026-05-15", "days_overdue": 5,
                                    "reason": "next action: 发报价"}


@pytest.mark.parametrize("via,limit,size", [("wecom", 4096, lambda s: len(s.encode())),
                                            ("slack", 3000, len)])
def test_long_digest_is_split_into_numbered_messages_nothing_dropped(via, limit, size):
    rows = [Reminder("cadence", f"客户{i:04d}", "张三", date(2026, 5, 1), 19, "跟进" * 20)
            for i in range(200)]
    payloads = build_payloads(via, "张三", rows, "提醒")
    with Hook(default=(200, "ok") if via == "slack" else (200, '{"errcode": 0}')) as hook:
        for payload in payloads:
            send(hook.url, payload, via=via, **FAST)
    bodies = [r["json"] for r in hook.requests]
    texts = ([b["markdown"]["content"] for b in bodies] if via == "wecom"
             else [b["blocks"][1]["text"]["text"] for b in bodies])
    n = len(texts)
    assert n > 2 and all(size(text) <= limit for text in texts)
    heads = [t.splitlines()[0] for t in texts] if via == "wecom" else [b["blocks"][0]["text"]["text"] for b in bodies]
    assert heads == [f"{'### ' if via == 'wecom' else ''}提醒 ({i}/{n})" for i in range(1, n + 1)]
    found = [line.split(" cadence ")[1].split(":")[0] for text in texts for line in text.splitlines()
             if " cadence " in line]
    assert found == [f"客户{i:04d}" for i in range(200)]  # every one, in order, once


def test_retries_after_two_500s_then_succeeds():
    with Hook(script=[(500, "boom"), (500, "boom")]) as hook:
        send(hook.url, {"msgtype": "markdown", "markdown": {"content": "x"}}, via="wecom",
             retries=3, **FAST)
    assert len(hook.requests) == 3


def test_429_is_retried():
    with Hook(script=[(429, "slow down")]) as hook:
        send(hook.url, {"text": "x"}, via="slack", **FAST)
    assert len(hook.requests) == 2


def test_always_500_raises_service_error_exit_5_naming_host_not_secret():
    with Hook(default=(500, "boom")) as hook:
        with pytest.raises(ServiceError) as info:
            send(hook.url, {"text": "x"}, retries=2, **FAST)
    assert len(hook.requests) == 3
    assert info.value.exit_code == 5
    assert f"127.0.0.1:{hook.server.server_port}" in info.value.message
    assert "HTTP 500" in info.value.message and "3 tries" in info.value.message
    assert "SECRET" not in info.value.message


def test_other_4xx_is_not_retried():
    with Hook(default=(404, '{"error": "no_team"}')) as hook:
        with pytest.raises(ServiceError, match="HTTP 404"):
            send(hook.url, {"text": "x"}, via="slack", **FAST)
    assert len(hook.requests) == 1


@pytest.mark.parametrize("via,reply,needle", [
    ("dingtalk", '{"errcode": 310000, "errmsg": "keywords not in content"}', "errcode 310000"),
    ("wecom", '{"errcode": 93000, "errmsg": "invalid webhook url"}', "errcode 93000"),
    ("feishu", '{"code": 19021, "msg": "sign match fail"}', "code 19021"),
])
def test_error_code_in_200_body_is_a_failure(via, reply, needle):
    with Hook(default=(200, reply)) as hook:
        with pytest.raises(ServiceError, match=needle) as info:
            send(hook.url, build_payload(via, "张三", ROWS, "t"), via=via, **FAST)
    assert info.value.exit_code == 5
    assert len(hook.requests) == 1


def test_generic_endpoint_body_codes_are_not_interpreted():
    with Hook(default=(200, '{"code": 201}')) as hook:
        send(hook.url, {"x": 1}, via="generic", **FAST)
    assert len(hook.requests) == 1


def test_connection_refused_raises_after_retries():
    with Hook() as hook:
        url = hook.url
    with pytest.raises(ServiceError, match="failed after 2 tries") as info:
        send(url, {"text": "x"}, retries=1, **FAST)
    assert info.value.exit_code == 5


def test_notify_all_one_digest_per_owner():
    with Hook() as hook:
        summary = notify_all(hook.url, "wecom", group_by_owner(ROWS), title="提醒", **FAST)
    assert (summary.sent, summary.failures) == (2, [])
    contents = [r["json"]["markdown"]["content"] for r in hook.requests]
    assert [c.splitlines()[0] for c in contents] == ["### 提醒 · Bob", "### 提醒 · 张三"]
    assert "ACME" in contents[0] and "ACME" not in contents[1]


def test_notify_all_continues_after_a_failure_then_raises():
    # Bob's digest goes first and is rejected; 张三's is still sent.
    with Hook(script=[(400, '{"errcode": 40058}')]) as hook:
        with pytest.raises(ServiceError) as info:
            notify_all(hook.url, "dingtalk", group_by_owner(ROWS), **FAST)
    assert len(hook.requests) == 2
    assert info.value.exit_code == 5
    assert info.value.summary.sent == 1
    assert [owner for owner, _ in info.value.summary.failures] == ["Bob"]
    assert info.value.details[0].startswith("Bob: ")
    assert "1 of 2" in info.value.message


def test_bad_via_and_url_are_bad_input():
    with pytest.raises(BadInput, match="--via"):
        build_payload("telegram", "x", ROWS, "t")
    with pytest.raises(BadInput, match="--notify"):
        notify_all("ftp://example.com/x", "generic", {"x": ROWS})
    with pytest.raises(BadInput, match="--notify"):
        send("not a url", {})
