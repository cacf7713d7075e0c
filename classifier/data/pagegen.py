"""Write ``train_pages.jsonl``: passages of generated whole pages, shaped like the pages of
Chinese organisation and government sites (menus, breadcrumbs, footers, 公示 tables,
donations-received lists, annual-report tables, notices, policy reprints, link lists).

    .venv/bin/python classifier/data/pagegen.py   # same output for the same seed

Each page is a list of blocks with a label; the page is cut into passages exactly as a scanned
page is (:func:`classifier.model.passages.passages`) and a passage takes the label of the
non-benign block it overlaps, if any. Every example keeps its page id (``page``), so training
can measure how many benign pages a threshold would flag. See docs/data-card.md.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from classifier.data import pagegen_parts as P  # noqa: E402
from classifier.model.passages import passages  # noqa: E402

OUT = Path(__file__).resolve().parent / "train_pages.jsonl"
SEED = 20261128
COUNTS = {"benign": 460, "spam_injected": 110, "illegal_fundraising": 50, "donation_appeal": 50}


class Gen:
    """Random pieces of pages, from one seeded generator."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def pick(self, items):
        return self.r.choice(items)

    def name(self, masked: bool = False) -> str:
        given = "".join(self.r.sample(P.GIVEN, self.r.choice([1, 2])))
        surname = self.pick(P.SURNAMES)
        return surname + ("*" + given[-1] if masked and len(given) > 1 else "*" if masked else given)

    def date(self, sep: str | None = None) -> str:
        y, m, d = self.r.randint(2019, 2026), self.r.randint(1, 12), self.r.randint(1, 28)
        sep = sep or self.pick(["-", "/", ".", "年"])
        return f"{y}年{m}月{d}日" if sep == "年" else f"{y}{sep}{m:02d}{sep}{d:02d}"

    def fill(self, template: str, org: str) -> str:
        r = self.r
        values = {
            "org": org, "place": self.pick(P.PLACES), "street": self.pick(P.STREETS), "num": r.randint(1, 399),
            "zip": r.randint(100000, 899999), "area": r.randint(100, 999), "tel": r.randint(10000000, 89999999),
            "prov": self.pick(P.PROVINCES), "icp": r.randint(10000000, 29999999), "k": r.randint(1, 3),
            "gab": r.randint(10**13, 9 * 10**13), "code": r.randint(10**9, 9 * 10**9), "company": self.pick(P.COMPANIES),
            "visits": r.randint(1000, 9999999), "y0": r.randint(2008, 2018), "year": r.randint(2020, 2026),
            "dom": "".join(r.sample("abcdefghjkmnpqrstwxyz", 6)), "date": self.date(), "src": self.pick([org, "本站", "秘书处", "综合办公室", "新华社"]),
            "name": self.name(), "views": r.randint(3, 5000), "n": r.randint(1, 30), "m": r.randint(1, 12),
            "floor": r.randint(1, 12), "bus": r.randint(1, 99), "bus2": r.randint(100, 399),
            "topic": self.pick(["养老服务补贴", "社会组织登记", "彩票公益金使用", "临时救助", "志愿服务记录"]),
            "gov": self.pick(P.PLACES) + self.pick(P.GOV_KINDS), "a": r.choice([50, 100, 150]), "b": r.choice([200, 300]),
            "c": r.choice([500, 800, 1000]),
        }
        return template.format(**values)

    def org(self) -> str:
        if self.r.random() < 0.3:
            return self.pick(P.PLACES) + self.pick(P.GOV_KINDS)
        return self.pick(P.PLACES) + self.pick(P.ORG_KINDS)

    # --- chrome ---------------------------------------------------------------------------

    def header(self, org: str) -> str:
        r, sep = self.r, self.pick(P.SEPARATORS)
        parts = []
        if r.random() < 0.6:
            parts.append(" ".join(r.sample(P.TOP_BAR, r.randint(2, 5))))
        parts.append(org + self.pick(["", "", "官方网站", "门户网站", " 欢迎您！"]))
        parts.append(sep.join(r.sample(P.NAV_ITEMS, r.randint(5, 12))))
        if r.random() < 0.5:
            parts.append(f"今天是{self.date('年')} 星期{self.pick('一二三四五六日')}")
        return "\n".join(parts)

    def crumb(self, column: str) -> str:
        sep = self.pick(P.CRUMB_SEPS)
        return self.pick(P.CRUMB_HEADS) + sep.join(["首页", column] + (["正文"] if self.r.random() < 0.5 else []))

    def footer(self, org: str) -> str:
        lines = self.r.sample(P.FOOTER_LINES, self.r.randint(3, 8))
        if self.r.random() < 0.5:
            links = [self.fill(x, org) for x in self.r.sample(P.FRIEND_LINKS, self.r.randint(3, 7))]
            lines.insert(0, self.pick(["友情链接：", "相关链接：", "友情链接\n"]) + self.pick(P.SEPARATORS).join(links))
        return "\n".join(self.fill(x, org) for x in lines)

    def meta_line(self, org: str) -> str:
        return "\n".join(self.fill(x, org) for x in self.r.sample(P.ARTICLE_META, self.r.randint(1, 3)))

    def title(self, org: str) -> str:
        if self.r.random() < 0.5:
            return self.fill(org + self.pick(P.NEWS_ACTIONS), org)
        return self.fill(f"关于{self.pick(P.NOTICE_TOPICS)}的通知", org)

    def title_list(self, org: str, n: int) -> str:
        bullet = self.pick(["· ", "■ ", "", "> ", "[通知公告] ", "• "])
        gap = self.pick(["  ", "　", " ", "\n"])
        return "\n".join(f"{bullet}{self.title(org)}{gap}{self.date()}" for _ in range(n))

    def pager(self) -> str:
        n = self.r.randint(2, 40)
        return self.pick([f"共{n}页 首页 上一页 1 2 3 下一页 尾页 跳转到第 页", f"首页 < 1 2 3 4 5 … {n} > 末页",
                          f"共 {n * 15} 条记录 每页15条 当前第1/{n}页", f"上一页 下一页 共{n}页"])

    def prev_next(self, org: str) -> str:
        return f"上一篇：{self.title(org)}\n下一篇：{self.title(org)}"

    # --- content --------------------------------------------------------------------------

    def sentence(self, org: str) -> str:
        r = self.r
        template = self.pick(P.NEWS_SENTENCES)
        return self.fill(template.replace("{venue}", self.pick(P.VENUES)).replace("{event}", self.pick(P.EVENTS))
                         .replace("{people}", self.pick(P.PEOPLE)).replace("{topic}", self.pick(P.TOPICS))
                         .replace("{goal}", self.pick(P.GOALS)).replace("{doc}", self.pick(P.DOCS))
                         .replace("{k}", str(r.randint(10, 900))).replace("{month}", str(r.randint(1, 12)))
                         .replace("{money}", f"{r.randint(1, 900)}.{r.randint(0, 99):02d}"), org)

    def paragraphs(self, org: str, n: int) -> str:
        return "\n".join("".join(self.sentence(org) for _ in range(self.r.randint(1, 4))) for _ in range(n))

    def id_number(self) -> str:
        r = self.r
        raw = f"{r.randint(110000, 659999)}{r.randint(1935, 2015)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(0, 999):03d}"
        raw += self.pick("0123456789X")
        return raw if r.random() < 0.15 else raw[:6] + "********" + raw[-4:]

    def table(self, kind: str, org: str) -> str:
        r, rows = self.r, []
        for i in range(1, r.randint(4, 14)):
            if kind == "donation":
                donor = self.pick(P.COMPANY_DONORS) if r.random() < 0.4 else self.pick([self.name(True), "爱心人士", "匿名", self.name()])
                rows.append(f"{i} {donor} {r.choice([100, 200, 500, 1000, 5000, 20000, 88, 66]) * r.randint(1, 5):.2f} {self.date()} {self.pick(P.PURPOSES)}")
            elif kind == "subsidy":
                std, months = r.choice([100, 150, 200, 300]), r.randint(1, 12)
                rows.append(f"{i} {self.name()} {self.id_number()} {self.pick(P.UNIT_NAMES)} {std} {months} {std * months}")
            elif kind == "scholarship":
                rows.append(f"{i} {self.name(True)} {self.pick(P.PLACES)}{self.pick(P.SCHOOLS)} {self.pick(['高一', '高二', '初三', '大一', '大二'])} {r.choice([1000, 2000, 3000, 5000])}")
            elif kind == "volunteer":
                rows.append(f"{i} {self.name()} {self.pick(P.EVENTS)} {r.randint(2, 300)}")
            else:
                rows.append(f"{self.pick(P.EVENTS)}服务采购 {self.pick(P.COMPANIES)} {r.randint(10000, 990000)}.00 {self.date()}")
        head = {"donation": f"{org}{r.randint(2020, 2026)}年第{self.pick('一二三四')}季度接受捐赠情况公示",
                "subsidy": f"关于{self.pick(P.PLACES)}{self.pick(['高龄津贴', '助餐补贴', '困难残疾人生活补贴', '临时救助'])}发放情况的公示",
                "scholarship": f"{org}{r.randint(2020, 2026)}年度助学金资助名单公示",
                "volunteer": f"{r.randint(2020, 2026)}年度优秀志愿者服务时长公示",
                "procurement": f"{org}采购结果公告"}[kind]
        tail = self.pick(["以上捐赠均已开具公益事业捐赠统一票据，衷心感谢各界爱心人士的支持！",
                          "公示期为5个工作日，如有异议，请在公示期内以书面形式向本单位反映。",
                          self.fill("监督电话：0{area}-{tel}", org), "特此公示。", f"{org}\n{self.date('年')}"])
        return "\n".join([head, P.TABLE_HEADERS[kind]] + rows + [tail])

    def finance(self, org: str) -> str:
        r = self.r
        rows = [f"{item} {r.randint(0, 9_000_000) / 100:.2f} {r.randint(0, 9_000_000) / 100:.2f}"
                for item in r.sample(P.FINANCE_ITEMS, r.randint(6, 14))]
        return "\n".join([f"{org}{r.randint(2019, 2025)}年度工作报告（摘要）", "三、财务会计报告",
                          self.pick(["项目 年初数 年末数", "项目 本年数 上年数", "单位：元"])] + rows)

    def notice(self, org: str) -> str:
        topic = self.fill(self.pick(P.NOTICE_TOPICS), org)
        items = ["一、时间：" + self.date("年") + self.pick(["上午9:00", "下午2:30", "（星期三）"]),
                 "二、地点：" + self.fill("{place}{street}{num}号", org) + self.pick(P.VENUES),
                 "三、参加人员：" + self.pick(["各会员单位负责人", "全体理事、监事", "各村（社区）民政专干", "项目社工"]),
                 "四、有关要求：请于" + self.date("年") + "前将参会回执报送秘书处，联系人：" + self.name() + "，电话：" + self.fill("0{area}-{tel}", org)]
        return "\n".join([f"关于{topic}的通知", self.pick(["各会员单位：", "各有关单位：", "各镇（街道）："]),
                          "经研究，决定" + topic + "。现将有关事项通知如下："] + items[: self.r.randint(2, 4)] + [org, self.date("年")])

    def policy(self, org: str) -> str:
        title = self.pick(P.POLICY_TITLES)
        clauses = [self.fill(c.replace("{n}", str(i + 1)), org) for i, c in enumerate(self.r.sample(P.POLICY_CLAUSES, self.r.randint(3, 7)))]
        return "\n".join([f"{self.pick(P.PLACES)}{self.pick(P.GOV_KINDS)}关于印发《{title}》的通知", "各有关单位：",
                          f"现将《{title}》印发给你们，请认真贯彻执行。"] + clauses)

    def project(self, org: str) -> str:
        r = self.r
        lines = [self.fill(x.replace("{who2}", self.pick(P.PROJECT_WHO)).replace("{who}", self.pick(P.PROJECT_WHO))
                           .replace("{k}", str(r.randint(3, 900))).replace("{money}", str(r.randint(5, 600))), org)
                 for x in r.sample(P.PROJECT_LINES, r.randint(2, 6))]
        return "\n".join([self.pick(["项目介绍", "公益项目", ""]), self.pick(P.PROJECT_NAMES)] + lines)

    def contact(self, org: str) -> str:
        return "\n".join([self.pick(["联系我们", "联系方式", "办事地址"])] +
                         [self.fill(x, org) for x in self.r.sample(P.CONTACT_LINES, self.r.randint(3, 7))])

    # --- non-benign blocks ----------------------------------------------------------------

    def spam(self, org: str) -> str:
        r, sep = self.r, self.pick(P.SEPARATORS[:-2])
        kind = r.randrange(4)
        if kind == 0:  # injected into the link list
            links = [self.fill(x, org) for x in r.sample(P.FRIEND_LINKS, r.randint(0, 3))] + r.sample(P.SPAM_LINKS, r.randint(3, 7))
            r.shuffle(links)
            return self.pick(["友情链接：", "合作伙伴：", "热门链接 "]) + sep.join(links)
        if kind == 1:  # titles in a news list
            titles = [f"· {t}  {self.date()}" for t in r.sample(P.SPAM_TITLES, r.randint(2, 5))]
            return "\n".join(titles + [f"· {self.title(org)}  {self.date()}" for _ in range(r.randint(0, 2))])
        if kind == 2:  # a keyword line beside the footer
            return sep.join(r.sample(P.SPAM_LINKS + P.SPAM_TITLES, r.randint(4, 9)))
        return "，".join(r.sample(P.SPAM_TITLES, r.randint(2, 4))) + self.pick(["，点击进入>>", "！官方网址：www.example-bet.com", "，详情咨询客服QQ"])

    def scheme(self, org: str) -> str:
        r = self.r
        name = self.pick(P.FUND_SCHEMES)
        lines = [f"{org}“{name}”方案", f"认购标准：每份{r.choice([1, 2, 3, 5, 10])}万元",
                 f"{self.pick(['月返收益', '每月补贴', '年化回报', '固定分红'])}：{r.choice([1.2, 1.5, 2, 12, 15, 18])}%",
                 f"期限：{r.randint(1, 5)}年，到期{self.pick(['返还全部本金', '本金一次性退还', '可续投或全额赎回'])}",
                 f"推荐一名新会员奖励{r.choice([500, 1000, 2000])}元，发展下线另有团队奖",
                 self.pick(["名额有限，先到先得，请到协会办公室办理", "本项目由协会担保，稳赚不赔", "现金、转账均可，当天计息"])]
        return "\n".join(lines[:1] + r.sample(lines[1:], r.randint(3, 5)))

    def appeal(self, org: str) -> str:
        r = self.r
        if r.random() < 0.5:
            return "\n".join(["爱心捐赠通道", f"户名：{org}", f"开户行：{self.pick(P.BANKS)}",
                              f"账号：{r.randint(10**15, 9 * 10**15)}{r.randint(100, 999)}",
                              self.pick(["扫描下方二维码即可在线捐款，您的每一份爱心都将帮助困难群众渡过难关。",
                                         "诚邀社会各界伸出援手，捐款请注明“助学”字样，我们将为您开具捐赠票据。",
                                         "您的一次捐赠，就能让一位独居老人吃上热乎饭，期待您的参与！"])])
        return self.pick([f"月捐计划：每月捐出{r.choice([10, 20, 30, 50])}元，为山区孩子送去一份营养午餐。立即捐赠 >>",
                          f"物资募集：本会现面向社会募集{self.pick(['棉被', '学习用品', '防暑药品', '轮椅'])}，捐赠地点："
                          + self.fill("{place}{street}{num}号", org) + "，欢迎爱心人士踊跃捐赠。",
                          "一起捐｜为困境儿童点亮微心愿，1元起捐，人人可参与，点击下方“我要捐赠”按钮。"])

    # --- pages ----------------------------------------------------------------------------

    def body(self, org: str) -> str:
        kind = self.r.randrange(10)
        if kind == 0:
            return self.title_list(org, self.r.randint(4, 12)) + "\n" + self.pager()
        if kind == 1:
            return self.table(self.pick(list(P.TABLE_HEADERS)), org)
        if kind == 2:
            return self.finance(org)
        if kind == 3:
            return self.notice(org)
        if kind == 4:
            return self.policy(org)
        if kind == 5:
            return self.contact(org)
        if kind == 6:
            return self.project(org)
        return "\n".join([self.title(org), self.meta_line(org), self.paragraphs(org, self.r.randint(1, 4)), self.prev_next(org)])

    def page(self, label: str) -> list[tuple[str, str]]:
        """A page as (label, text) blocks."""
        org = self.org()
        column = self.pick(P.NAV_ITEMS)
        blocks = [("benign", self.header(org)), ("benign", self.crumb(column)), ("benign", self.body(org))]
        if self.r.random() < 0.3:
            blocks.append(("benign", self.body(org)))
        if label != "benign":
            block = {"spam_injected": self.spam, "illegal_fundraising": self.scheme, "donation_appeal": self.appeal}[label](org)
            blocks.insert(self.r.randint(1, len(blocks)), (label, block))
        blocks.append(("benign", self.footer(org)))
        return blocks


def label_passages(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(passage text, label) of a page: a passage overlapping a non-benign block takes its label."""
    text, spans, pos = "", [], 0
    for label, block in blocks:
        text += block + "\n"
        spans.append((label, pos, pos + len(block)))
        pos = len(text)
    out = []
    for p in passages(text):
        labels = [lab for lab, s, e in spans if lab != "benign" and s < p.end and p.start < e]
        out.append((p.text, labels[0] if labels else "benign"))
    return out


def generate(seed: int = SEED) -> list[dict]:
    """The examples: every passage of every generated page, with its page id."""
    gen, out = Gen(seed), []
    for label, count in COUNTS.items():
        for n in range(count):
            page_id = f"gen-{label}-{n:03d}"
            for text, passage_label in label_passages(gen.page(label)):
                out.append({"text": text, "label": passage_label, "source": f"generated page: {label} page", "page": page_id})
    return out


def main() -> None:
    examples = generate()
    with OUT.open("w", encoding="utf-8") as f:
        for ex in examples:
            f.write(json.dumps(ex, ensure_ascii=False) + "\n")
    print(f"{len(examples)} passages written to {OUT}")


if __name__ == "__main__":
    main()
