"""A small fixture organisation site written to a folder: an ID list, a GBK page with a
secret marking, and a clean page, so tests can change a page between scans."""
from __future__ import annotations

from pathlib import Path

import yaml

from classifier.codes import ric_check_char, uscc_check_char

ORG_USCC = (lambda b: b + uscc_check_char(b))("52500199MJQ111222")


def make_id(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    return body + ric_check_char(body)


IDS = [make_id("500199", "19470518", "213"), make_id("500101", "19520903", "146"), make_id("500199", "19391127", "328")]

INDEX = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>青溪区安和社区服务中心</title></head>
<body><h1>青溪区安和社区服务中心</h1>
<ul><li><a href="/list.html">2026年10月高龄津贴发放名单公示</a></li>
<li><a href="/notice.html">关于做好冬季安全工作的通知</a></li>
<li><a href="/about.html">中心简介</a></li></ul>
<p>统一社会信用代码：{uscc}</p></body></html>"""

LIST_WITH_IDS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>2026年10月高龄津贴发放名单公示</title></head>
<body><h1>2026年10月高龄津贴发放名单公示</h1><p>发布时间：2026-10-28</p>
<table><tr><th>姓名</th><th>身份证号</th><th>金额</th></tr>
{rows}</table><p>公示期七天，如有异议请致电中心办公室。</p></body></html>"""

NOTICE_GBK = """<!DOCTYPE html><html><head><title>关于做好冬季安全工作的通知</title></head>
<body><p>机密★5年</p><h1>关于做好冬季安全工作的通知</h1>
<p>各服务站：为做好冬季安全工作，现将有关事项通知如下。</p></body></html>"""

ABOUT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>中心简介</title></head>
<body><h1>中心简介</h1><p>本中心定期组织工作人员学习保密知识，严格遵守保守国家秘密的规定，
不在网站发布涉及商业秘密和个人隐私的信息。公示名单中的身份证号一律遮盖，如 500199********1234。</p></body></html>"""


def write_site(root: Path, *, with_ids: bool = True) -> Path:
    """Write the site into ``root/anhe``; ``with_ids=False`` writes the fixed list page."""
    site = root / "anhe"
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(INDEX.format(uscc=ORG_USCC), encoding="utf-8")
    shown = IDS if with_ids else [i[:6] + "********" + i[-4:] for i in IDS]
    names = ["张桂兰", "李德明", "王秀英"]
    rows = "".join(f"<tr><td>{n}</td><td>{i}</td><td>300元</td></tr>" for n, i in zip(names, shown))
    (site / "list.html").write_text(LIST_WITH_IDS.format(rows=rows), encoding="utf-8")
    (site / "notice.html").write_bytes(NOTICE_GBK.encode("gbk"))
    (site / "about.html").write_text(ABOUT, encoding="utf-8")
    headers = {"/notice.html": {"Content-type": "text/html; charset=gbk"}}
    (site / "_headers.yaml").write_text(yaml.safe_dump(headers), encoding="utf-8")
    return root


def write_config(folder: Path, base_url: str, notify: str, legal_notify: str | None = None) -> Path:
    registry = {
        "organizations": [{
            "id": "anhe", "name": "青溪区安和社区服务中心", "type": "social_service", "charity": False,
            "uscc": ORG_USCC, "registration_authority": "云川市青溪区民政局",
            "channels": [{"kind": "website", "url": base_url + "/"}],
            "people": [
                {"name": "周敏", "role": "platform_manager", "notify": [notify]},
                {"name": "陈国华", "role": "legal_representative", "notify": [legal_notify or notify + "-legal"]},
            ],
        }]
    }
    (folder / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    settings = {"data_dir": "data", "registry": "registry.yaml",
                "crawl": {"allow_private_networks": True, "download_delay": 0},
                # these tests are about page findings and alerts; disclosure checks have their own tests
                "health": {"disclosure_checks": False, "channel_checks": False}}
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path
