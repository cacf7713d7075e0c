"""CLI for the web app: ``users``, ``tokens``, ``serve`` and ``triage``; each calls a service."""
from __future__ import annotations

import sys

import click
from rich.table import Table

from orgwatch.cli import common_options, console, err_console
from orgwatch.runtime import Runtime

ROLE_NAMES = {"bureau": "登记管理机关", "supervisor": "业务主管单位", "org": "机构"}


def _read_password(password_stdin: bool, confirm: bool = True) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次密码" if confirm else False)


@click.group()
def users() -> None:
    """管理网页用户：登记管理机关（看全部）、业务主管单位（看本单位主管的机构）、机构（只看本机构）。"""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["bureau", "supervisor", "org"]), required=True, help="角色。")
@click.option("--org", "org_id", metavar="ID", help="机构用户所属机构的 id（名册中的 id）。")
@click.option("--supervisor", metavar="NAME", help="业务主管单位用户所属单位的名称（与名册一致）。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读一行作为密码（用于脚本）；否则交互输入。")
@common_options
def users_add(rt: Runtime, name: str, role: str, org_id: str | None, supervisor: str | None,
              password_stdin: bool) -> None:
    """创建用户 NAME，例如 orgwatch users add wang --role org --org kangning。"""
    from orgwatch import accounts

    info = accounts.add_user(rt, name=name, role=role, password=_read_password(password_stdin),
                             org_id=org_id, supervisor=supervisor)
    where = f"（{info.org_id or info.supervisor}）" if info.org_id or info.supervisor else ""
    console.print(f"已创建用户 {info.name}：{ROLE_NAMES[info.role]}{where}", highlight=False, markup=False)


@users.command("list")
@common_options
def users_list(rt: Runtime) -> None:
    """列出全部用户。"""
    from orgwatch import accounts

    rows = accounts.list_users(rt)
    if not rows:
        console.print("还没有用户：用 orgwatch users add 创建。")
        return
    table = Table()
    for col in ("用户名", "角色", "机构/单位", "状态", "创建时间"):
        table.add_column(col, overflow="fold")
    for u in rows:
        table.add_row(u.name, ROLE_NAMES[u.role], u.org_id or u.supervisor or "全部", "正常" if u.active else "已停用",
                      u.created_at)
    console.print(table, markup=False)


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="从标准输入读一行作为新密码。")
@common_options
def users_passwd(rt: Runtime, name: str, password_stdin: bool) -> None:
    """修改用户 NAME 的密码；此前登录的会话随即失效。"""
    from orgwatch import accounts

    accounts.set_password(rt, name, _read_password(password_stdin))
    console.print(f"已修改 {name} 的密码，该用户需要重新登录。", highlight=False, markup=False)


@users.command("disable")
@click.argument("name")
@common_options
def users_disable(rt: Runtime, name: str) -> None:
    """停用用户 NAME：其会话和 API 令牌立即失效。"""
    from orgwatch import accounts

    accounts.disable_user(rt, name)
    console.print(f"已停用用户 {name}。", highlight=False, markup=False)


@click.group()
def tokens() -> None:
    """管理脚本调用 API 用的令牌（Authorization: Bearer …）。"""


@tokens.command("create")
@click.option("--user", "user_name", required=True, metavar="NAME", help="令牌代表的用户（权限范围与该用户相同）。")
@click.option("--name", "label", default="", help="令牌的用途说明，如“周报脚本”。")
@click.option("--days", type=click.IntRange(min=1), help="有效天数；不写则长期有效，直到撤销。")
@common_options
def tokens_create(rt: Runtime, user_name: str, label: str, days: int | None) -> None:
    """创建令牌并只显示这一次（数据库只保存它的 SHA-256）。"""
    from orgwatch import accounts

    info, token = accounts.create_token(rt, user_name, label, days)
    click.echo(token)
    until = f"有效期至 {info.expires_at}" if info.expires_at else "长期有效（直到撤销）"
    err_console.print(f"已为 {info.user} 创建令牌 #{info.id}（{until}）。它只显示这一次，请立即妥善保存。",
                      highlight=False, markup=False)


@tokens.command("list")
@click.option("--user", "user_name", metavar="NAME", help="只列出这个用户的令牌。")
@common_options
def tokens_list(rt: Runtime, user_name: str | None) -> None:
    """列出令牌（只显示开头几个字符）。"""
    from orgwatch import accounts

    rows = accounts.list_tokens(rt, user_name)
    if not rows:
        console.print("没有令牌。")
        return
    table = Table()
    for col in ("编号", "用户", "用途", "开头", "创建", "到期", "最近使用", "状态"):
        table.add_column(col, overflow="fold")
    for t in rows:
        table.add_row(str(t.id), t.user, t.name, t.prefix + "…", t.created_at, t.expires_at or "长期",
                      t.last_used_at or "", "已撤销" if t.revoked else "有效")
    console.print(table, markup=False)


@tokens.command("revoke")
@click.argument("token_id", type=int)
@common_options
def tokens_revoke(rt: Runtime, token_id: int) -> None:
    """撤销编号为 TOKEN_ID 的令牌（编号见 orgwatch tokens list）。"""
    from orgwatch import accounts

    info = accounts.revoke_token(rt, token_id)
    console.print(f"已撤销 {info.user} 的令牌 #{info.id}。", highlight=False, markup=False)


@click.command()
@click.option("--host", help="监听地址（默认取设置 web.host，即 127.0.0.1）。")
@click.option("--port", type=click.IntRange(0, 65535), help="监听端口（默认取设置 web.port，即 8321；0 表示任选空闲端口）。")
@common_options
def serve(rt: Runtime, host: str | None, port: int | None) -> None:
    """启动网页和 API（浏览器打开显示的地址，用 orgwatch users add 创建的账号登录）。"""
    import uvicorn

    from orgwatch import accounts
    from orgwatch.web.app import create_app

    if accounts.count_users(rt) == 0:
        err_console.print("注意：还没有任何用户，网页无法登录。先用 orgwatch users add 创建用户，"
                          "例如 orgwatch users add admin --role bureau。", style="yellow", highlight=False)
    web = rt.settings.web
    host, port = host or web.host, web.port if port is None else port
    err_console.print(f"orgwatch 网页服务：http://{host}:{port}/ （API 文档：/api/v1/openapi.json；按 Ctrl+C 停止）",
                      highlight=False, markup=False)
    uvicorn.run(create_app(rt), host=host, port=port, log_level="info", proxy_headers=False)


@click.command()
@click.argument("finding_id", type=int)
@click.option("--action", type=click.Choice(["acknowledge", "confirm", "false_positive", "resolve", "reopen"]),
              required=True, help="acknowledge 确认收到；confirm 确认属实；false_positive 误报；resolve 已解决；reopen 重新打开。")
@click.option("--reason", help="理由（标记误报时必填）。")
@click.option("--as", "actor", required=True, metavar="NAME", help="以哪个用户的名义处理（写入处理记录和审计日志）。")
@common_options
def triage(rt: Runtime, finding_id: int, action: str, reason: str | None, actor: str) -> None:
    """处理问题 FINDING_ID：确认、标记误报、标记已解决或重新打开（与网页上的处理相同）。"""
    from orgwatch import accounts
    from orgwatch import triage as service

    scope = accounts.scope_of(rt, actor)
    result = service.apply(rt, finding_id, action, actor, reason, scope)
    from models.triage import STATUS_NAMES

    console.print(f"问题 #{result.finding_id}：{STATUS_NAMES[result.old_status]} → {STATUS_NAMES[result.new_status]}"
                  f"（{actor}）" + ("，已记入模型反馈。" if result.feedback else ""), highlight=False, markup=False)
