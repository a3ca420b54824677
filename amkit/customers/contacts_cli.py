"""`amkit contact add|list`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Fmt, FormatOpt, OutputOpt, OwnerOpt, emit, emit_created, example
from amkit.ui.opts import CustomerArg, CustomerOpt

app = typer.Typer(no_args_is_help=True)  # help: amkit.cli.COMMANDS


def columns():  # noqa: ANN201
    from amkit.ui.render import Col

    return [Col("id", "id", "int"), Col("customer", "Customer"), Col("name", "Full name"), Col("role", "Role"),
            Col("is_decision_maker", "Decision maker", "bool"), Col("phone", "Phone"), Col("email", "Email"),
            Col("wechat", "WeChat"), Col("birthday", "Birthday"), Col("birthday_lunar", "Lunar", "bool")]


@app.command("add", epilog=example("amkit contact add 中国银行 李明 --role 采购总监 --decision-maker "
                                   "--phone 13800138000 --birthday 03-15",
                                   "amkit contact add zgyh 王芳 --birthday 1980-08-15 --lunar"))
def add(
    customer: CustomerArg,
    name: Annotated[str, typer.Argument(help="Contact name.")],
    role: Annotated[Optional[str], typer.Option("--role", help="Job title / role.")] = None,
    decision_maker: Annotated[bool, typer.Option("--decision-maker", help="Is a decision maker (决策人).")] = False,
    phone: Annotated[Optional[str], typer.Option("--phone")] = None,
    email: Annotated[Optional[str], typer.Option("--email")] = None,
    wechat: Annotated[Optional[str], typer.Option("--wechat")] = None,
    birthday: Annotated[Optional[str], typer.Option("--birthday", help="YYYY-MM-DD or MM-DD.")] = None,
    lunar: Annotated[bool, typer.Option("--lunar", help="The birthday is a lunar-calendar date.")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add a key contact to a customer."""
    from amkit.customers import contacts
    from amkit import store
    from amkit.store import lookup

    with store.write() as st:
        c = lookup.customer(st.session, customer)
        row = contacts.add(st, c, name=name, role=role, is_decision_maker=decision_maker, phone=phone,
                           email=email, wechat=wechat, birthday=birthday, birthday_lunar=lunar)
    emit_created(row, columns(), fmt)


@app.command("list", epilog=example("amkit contact list --customer 中国银行", "amkit contact list --decision-maker",
                                    "amkit contact list --phone 13800138000 --reveal"))
def list_(
    customer: CustomerOpt = None,
    owner: OwnerOpt = None,
    decision_maker: Annotated[bool, typer.Option("--decision-maker", help="Only decision makers.")] = False,
    phone: Annotated[Optional[str], typer.Option("--phone", help="Only this exact phone number.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Only this exact e-mail address.")] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show encrypted phone/e-mail/WeChat/birthday in full "
                                                          "(audited).")] = False,
    fmt: FormatOpt = Fmt.table, output: OutputOpt = None, bom: BomOpt = False,
) -> None:
    """List contacts. With AMKIT_KEY set, sensitive values are masked unless --reveal."""
    from amkit.customers import contacts
    from amkit import store
    from amkit.store import crypto

    if reveal:
        store.record_reveal("contacts", {"command": "contact list", "customer": customer, "owner": owner,
                                          "phone": crypto.mask("phone", phone), "output": output})
    with store.session(write=False) as sess:
        rows = contacts.list_rows(sess, customer=customer, owner=owner, decision_maker=decision_maker,
                                  phone=phone, email=email, reveal=reveal)
    emit(rows, columns(), fmt, output, bom, private=reveal)
