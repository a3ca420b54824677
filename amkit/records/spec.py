"""The record kinds that `edit` and `delete` work on, and how `history` names their fields
(issue 21). Light: no SQLAlchemy, so the CLI builds its options from it without loading models.

Adding a kind is one entry in KINDS: its table, how it is addressed, its editable fields (each a
column, the option that sets it, a label and a parser named in amkit.records.writes.PARSERS), the
records that depend on it (refused on delete unless --cascade) and the ones it owns (deleted
with it, audited).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    column: str  # the table's column
    flag: str  # the option, e.g. "--next-date"
    label: str  # in words, for messages and history (zh in amkit/ui/locale/zh_undo.toml)
    parse: str = "text"  # a key of amkit.records.writes.PARSERS
    help: str = ""
    shown: str = "text"  # how a value reads: text, money, date, datetime, channel, stage, customer, manager,
    #                      contact, bool, ratio


@dataclass(frozen=True)
class Dependent:
    table: str
    column: str  # the foreign key pointing at the record
    label: str  # "payment" (counted: "2 payments", zh "2 笔回款")
    cascade: str = "delete"  # what --cascade does: delete them, or unlink (set the key to NULL)


@dataclass(frozen=True)
class Kind:
    name: str  # the noun of the command: `amkit NAME edit|delete`
    table: str
    label: str  # "follow-up"
    fields: tuple[Field, ...] = ()
    dependents: tuple[Dependent, ...] = ()  # refused on delete unless --cascade
    owned: tuple[tuple[str, str], ...] = ()  # (table, fk column): parts deleted with the record
    address: str = "id"  # id | manager (name or id) | contact (CUSTOMER NAME|ID)
    editable: bool = True  # False: history labels only (its edit command lives elsewhere)
    cascade: bool = True  # False: dependents always refuse (managers: use `manager leave`)
    title: str = ""  # the column that names a record in messages ("summary", "name")


CUSTOMER = Field("customer_id", "--customer", "customer", "customer", "Move it to another customer.", "customer")
OWNER = Field("owner_id", "--owner", "owner", "manager", "Another manager.", "manager")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("followup", "followups", "follow-up", (
        Field("summary", "--summary", "summary", "required", "What was discussed."),
        Field("channel", "--channel", "channel", "channel", "visit, call, wechat, email, video, meeting, other.",
              "channel"),
        Field("at", "--at", "time", "datetime", "When (DATETIME).", "datetime"),
        Field("contact_id", "--contact", "contact", "contact", "A contact of the customer (name or id).", "contact"),
        Field("outcome", "--outcome", "outcome"),
        Field("next_action", "--next", "next action"),
        Field("next_date", "--next-date", "next date", "date", "Date of the next action.", "date"),
        CUSTOMER, OWNER), title="summary"),
    Kind("deal", "deals", "deal", (
        Field("amount_cents", "--amount", "amount", "money", "Amount (e.g. 120000, 3万).", "money"),
        Field("title", "--title", "title"),
        OWNER,
        Field("probability", "--probability", "probability", "ratio",
              "Win probability 0-1 or a percentage (default: the stage's, from config).", "ratio"),
        Field("created", "--created", "created", "date", "Created on DATE.", "date"),
        Field("expected_close", "--expected-close", "expected close", "date", "Expected close DATE.", "date"),
        Field("closed_at", "--closed", "closed", "date", "Closed (won/lost) on DATE.", "date"),
        CUSTOMER), dependents=(Dependent("payments", "deal_id", "payment"),
                               Dependent("installments", "deal_id", "installment"),
                               Dependent("contracts", "deal_id", "contract", "unlink")),
        owned=(("deal_stage_history", "deal_id"),), title="title"),
    Kind("payment", "payments", "payment", (
        Field("amount_cents", "--amount", "amount", "money", "Amount received.", "money"),
        Field("date", "--date", "date", "date", "Date received.", "date"),
        Field("note", "--note", "note"))),
    Kind("contact", "contacts", "contact", (
        Field("name", "--name", "name", "required"),
        Field("role", "--role", "role"),
        Field("is_decision_maker", "--decision-maker", "decision maker", "bool", "yes or no.", "bool"),
        Field("phone", "--phone", "phone", "phone"),
        Field("email", "--email", "email", "email"),
        Field("wechat", "--wechat", "WeChat"),
        Field("birthday", "--birthday", "birthday", "birthday", "YYYY-MM-DD or MM-DD.")),
        dependents=(Dependent("followups", "contact_id", "follow-up", "unlink"),), address="contact",
        title="name"),
    Kind("kb", "kb_entries", "knowledge-base entry", (
        Field("title", "--title", "title", "required"),
        Field("body", "--body", "body", "required"),
        Field("tags", "--tags", "tags", "tags", "Comma list."),
        Field("industry", "--industry", "industry"),
        Field("stage", "--stage", "stage", "stage", "A deal stage.", "stage"),
        Field("customer_id", "--customer", "customer", "customer", "The customer it is about.", "customer")),
        title="title"),
    Kind("survey", "surveys", "survey", (
        Field("score", "--score", "score", "int", "1-5 (0-10 for NPS)."),
        Field("date", "--date", "date", "date", "", "date"),
        Field("note", "--note", "note"),
        CUSTOMER)),
    Kind("complaint", "complaints", "complaint", (
        Field("text", "--text", "text", "required"),
        Field("opened", "--opened", "opened", "datetime", "", "datetime"),
        Field("resolved", "--resolved", "resolved", "datetime", "", "datetime"),
        Field("resolution", "--resolution", "resolution"),
        CUSTOMER), title="text"),
    Kind("goal", "goals", "goal", (
        Field("target", "--target", "target", "number"),
        Field("excellent", "--excellent", "excellent", "number"),
        Field("stretch", "--stretch", "stretch", "number"))),
    Kind("manager", "managers", "manager", (
        Field("name", "--name", "name", "required"),
        Field("team", "--team", "team"),
        Field("lead", "--lead", "lead"),
        Field("email", "--email", "email", "email"),
        Field("mobile", "--mobile", "mobile", "phone"),
        Field("wecom_userid", "--wecom-userid", "WeCom user id", "text", "For @-mentions in WeCom digests."),
        Field("dingtalk_userid", "--dingtalk-userid", "DingTalk user id", "text",
              "For @-mentions in DingTalk digests.")),
        dependents=(Dependent("customers", "owner_id", "customer"), Dependent("deals", "owner_id", "deal"),
                    Dependent("followups", "owner_id", "follow-up"), Dependent("goals", "owner_id", "goal"),
                    Dependent("users", "manager_id", "login")),
        address="manager", cascade=False, title="name"),
    # history labels only: `customer edit` is the customers feature's own command
    Kind("customer", "customers", "customer", (
        Field("name", "--name", "name"), Field("industry", "--industry", "industry"),
        Field("region", "--region", "region"), Field("source", "--source", "source"),
        Field("owner_id", "--owner", "owner", shown="manager"), Field("tier", "--tier", "tier"),
        Field("lifecycle", "--lifecycle", "lifecycle"), Field("tags", "--tags", "tags")),
        editable=False, title="name"),
    # history labels only: `contract edit|delete` and `payment plan` are their features' own commands
    Kind("contract", "contracts", "contract", (
        Field("title", "--title", "contract name"), Field("start_on", "--start", "start", shown="date"),
        Field("end_on", "--end", "end", shown="date"), Field("amount_cents", "--amount", "amount", shown="money"),
        Field("renewal_of_id", "--renewal-of", "renewal of"), Field("lost_on", "--lost", "lost on", shown="date"),
        Field("lost_reason", "--reason", "reason lost"), Field("deal_id", "--deal", "deal"),
        Field("external_id", "--external-id", "external id"), CUSTOMER), editable=False, title="title"),
    # `amkit receivable edit|delete` (NOUNS); a plan is added with `payment plan`
    Kind("installment", "installments", "installment", (
        Field("due", "--due", "due", "date", "Due date.", "date"),
        Field("amount_cents", "--amount", "amount", "money", "Amount due (the plan's sum may not pass the deal's "
              "amount).", "money"),
        Field("note", "--note", "note"))),
)}

BY_TABLE: dict[str, Kind] = {k.table: k for k in KINDS.values()}
# a command noun whose records are of another kind's name
NOUNS: dict[str, str] = {"receivable": "installment"}
