"""Table-driven tests of illegal_fundraising and spam_injected: phrase rules, warnings left alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from classifier import Document, OrgContext, Severity, analyze
from classifier.detectors.fraud_spam import IllegalFundraisingDetector, SpamInjectedDetector, spam_vocabulary
from classifier.exceptions import RulePackError
from classifier.registry import all_detectors

LAWS = Path("/work/shared/bench/laws-zh.txt")
LEGIT = "青溪区夕阳红老年协会成立于2012年，是在区民政局登记的社会团体。"

# ------------------------------------------------------------------ illegal fundraising

#: (id, text, rule of the first sign)
FRAUD_POSITIVE = [
    ("principal-interest", "本项目保本付息，年底一次性结清。", "return_promise"),
    ("principal-guaranteed", f"{LEGIT}\n“金秋计划”保本保息，欢迎会员踊跃参与。", "return_promise"),
    ("never-lose", "投资农业园项目，稳赚不赔，名额有限。", "return_promise"),
    ("high-return", "投入五万元即可享受高额回报，先到先得。", "return_promise"),
    ("annual-18", "产业基金开放认购，预期年化18%，按季付息。", "return_promise"),
    ("monthly-2", "入股合作社，月息2%，随时可退。", "return_promise"),
    ("daily-return", "首投1000元，日返1.2%，三个月回本。", "return_promise"),
    ("payback-months", "加盟一台设备投资一万二，八个月回本，后面都是净赚。", "return_promise"),
    ("consumer-rebate", "爱心商城消费返利，消费1000元分100天返还1000元。", "return_promise"),
    ("downline", "发展下线越多，提成越高，每月团队奖金上不封顶。", "pyramid"),
    ("head-count", "拉人头入会，每拉一人奖励200元。", "pyramid"),
    ("referral-percent", "会员缴纳入会费3000元，每推荐一名新会员可获得其入会费10%的推荐奖励。", "pyramid"),
    ("team-allowance", "团队业绩满50万元，享受团队总业绩3%的管理津贴。", "pyramid"),
    ("elderly-apartment", "康乐养老公寓认筹火热进行中，认筹一份五万元，每年返还8%，五年后原价回购。", "elderly_scheme"),
    ("elderly-bed", "认购养老床位一份2万元，每月领取补贴400元，到期本金全退。", "elderly_scheme"),
    ("elderly-prepaid", "预交会员费三万元，享受终身免费养老服务，每年返还会员费的百分之十二。", "elderly_scheme"),
    ("elderly-chat", "阿姨，我们中心的养老床位认购，三万块钱一份，一个月能领六百，三年后本钱一分不少还给您。",
     "elderly_scheme"),
    ("charity-dividend", "投入任意金额即可按日领取爱心分红，日分红率1.2%。", "charity_disguise"),
    ("charity-shareholder", "招募帮扶股东，每股出资一万元，年底分红不低于2000元。", "charity_disguise"),
    ("donation-return", "单笔捐赠满一万元的爱心人士，可选择按年领取捐赠额12%的公益回馈。", "charity_disguise"),
    ("mutual-aid", "加入爱心互助，入会缴纳5000元，三个月后领取7500元互助金，收益50%。", "charity_disguise"),
    ("traditional", "本計劃保本付息，穩賺不賠。", "return_promise"),
    ("obfuscated", "保*本*付*息，年化 24%", "return_promise"),
    ("denial-is-no-warning", "本项目合法合规，不是非法集资，保本付息，请放心认购。", "return_promise"),
    ("after-legit-paragraph", f"{LEGIT}\n会员认购“夕阳红”养老权益卡，一张一万元，每季度支付收益600元，期满全额退还。", "elderly_scheme"),
    ("contract-clause", "甲方认购权益五份，每份一万元。乙方每季度按每份六百元向甲方支付权益回报，期满后按认购原价回购。",
     "return_promise"),
]

#: Texts that mention the schemes or money without soliciting: warnings, cases, lawful money.
FRAUD_NEAR_MISS = [
    ("warning-kangning", "民警提醒老人们警惕以“投资养老公寓”为名的骗局，对承诺高额回报、声称“保本付息”“稳赚不赔”、"
                         "要求发展下线的宣传，一律不要相信。"),
    ("warning-title", "防范非法集资宣传月活动\n保本付息\n稳赚不赔\n发展下线拉人头"),
    ("warning-beware", "谨防“养老公寓认筹”陷阱：认筹一份五万元、每年返还8%的承诺不可信。"),
    ("warning-identify", "识别非法集资的四个特征：承诺高额回报、保本付息、发展下线、以慈善为名。"),
    ("warning-reminder", "提醒：切勿参与所谓“爱心分红”项目，日分红率1.2%是典型的庞氏骗局。"),
    ("warning-do-not-believe", "不要相信“投入一万元每月返还800元”的宣传，这是违法行为。"),
    ("case-study", "典型案例：某公司以养老床位认购为名，承诺每月返还2%，吸收资金三千余万元，被依法判处。"),
    ("law-lecture", "以案说法：拉人头、发展下线并按层级计酬的，属于传销。"),
    ("previous-line-warning", "以下宣传语均为非法集资话术：\n“保本付息，年化18%”\n“拉一人奖二百”"),
    ("statute", "第二条 本条例所称非法集资，是指未经国务院金融管理部门依法许可，许诺还本付息或者给付回报，向不特定对象吸收资金的行为。"),
    ("bank-deposit", "三年期定期存款年利率为2.35%，到期还本付息。"),
    ("bond-prospectus-law", "债券募集办法中应当载明还本付息的期限和方式。"),
    ("membership-dues", "会员每年缴纳会费500元，每季度可参加一次免费培训。"),
    ("charity-subsidy", "本项目投入资金20万元，每月为30名困境儿童发放生活补贴500元。"),
    ("pension-insurance", "城乡居民养老保险每年缴费500元，年满60岁后每月领取养老金。"),
    ("annual-report", "本年度基金会投资收益128万元，收益率3.5%，实现了资产保值增值。"),
    ("farm-cooperative", "村集体经济合作社以土地入股，村民每年每亩分红800元。"),
    ("member-recruitment", "欢迎各会员单位推荐新会员，对发展会员工作突出的单位给予表彰奖励。"),
    ("volunteer-referral", "每推荐一名志愿者报名，可获得志愿服务积分10分。"),
    ("bonus-news", "公司向本会捐赠50万元，用于资助困难学生，每人每年资助5000元。"),
    ("donation-thanks", "感谢爱心企业的捐赠，所获款物将用于残疾人康复训练补贴。"),
    ("low-rate", "理财产品年化收益率3.2%，风险等级为中低。"),
    ("elderly-service", "养老服务中心床位费每月2000元，入住需预交押金5000元，退住时全额退还。"),
    ("volunteer-time-bank", "时间银行：志愿者每服务1小时存入1个时间币，年满60岁后可兑换同等时长的服务。"),
    ("reward-for-reporting", "举报非法集资线索经查证属实的，给予举报人最高10万元奖励。"),
    ("anti-pyramid-notice", "关于开展打击传销专项行动的通知：对以“拉人头”“发展下线”牟利的行为依法查处。"),
    ("training-deposit", "培训报名费800元，结业考核合格后退还保证金200元。"),
    ("endowment", "爱心企业出资100万元设立留本冠名基金，本金不动，每年的投资收益用于向20名困难学生发放助学金。"),
    ("stock-market-news", "今日A股三大指数走势分化，截至收盘，沪指涨0.32%，深证成指跌0.15%。两市合计成交1.12万亿元。"),
    ("trade-volume", "本届农产品展销会现场成交300万元，参展商品价格较去年上涨5%。"),
    ("anti-fraud-campaign-head", "平安家园 · 防非宣传\n守住“钱袋子”，护好“养老钱”\n"
                                 "最近有没有人跟您说：“交两万块钱，每月领五百块养老补贴，三年还本”？"
                                 "有没有人拉您进群，天天晒“分红截图”？"),
]

# ------------------------------------------------------------------ spam

#: (id, text, rule)
SPAM_POSITIVE = [
    ("appended-casino", f"{LEGIT}澳门新葡京娱乐场官网，注册即送38元。", "gambling"),
    ("keyword-list", "百家乐 真人百家乐 百家乐官网 百家乐技巧 百家乐平台", "gambling"),
    ("lottery-seo", "六合彩资料大全_香港六合彩开奖_六合彩特码_心水论坛", "gambling"),
    ("rebate-promo", "新会员首存100送58，每日返水无上限，提款秒到。", "gambling"),
    ("term-and-url", "真人视讯 百家乐 请访问 hg0088.example", "gambling"),
    ("anchor-list", "友情链接：百家乐 | 真人娱乐 | 体育投注 | 彩票计划 | 棋牌游戏", "gambling"),
    ("title-stuffing", "XX市爱心助老协会_百家乐_真人娱乐_注册送彩金", "gambling"),
    ("lottery-group", "幸运飞艇 加拿大28 计划群 带单回血", "gambling"),
    ("sports-betting", "体育投注 足球投注 皇冠开户 滚球平台", "gambling"),
    ("obfuscated-star", "百*家*乐 真*人*视*讯 注*册*送*彩*金", "gambling"),
    ("obfuscated-zero-width", "真\u200b人\u200b视\u200b讯 百\u200b家\u200b乐 官\u200b网", "gambling"),
    ("traditional", "娛樂城推薦 百家樂 老虎機 註冊即送", "gambling"),
    ("fullwidth", "ＡＧ真人 ＢＢＩＮ 首存送 返水", "gambling"),
    ("homophone", "新蒲京 微尼斯人 渔乐城", "gambling"),
    ("porn-seo", "亚洲一区二区 欧美日韩精品 久久精品 在线观看", "porn"),
    ("porn-appended", f"{LEGIT}国产精品在线观看 免费观看 午夜福利", "porn"),
    ("porn-traditional", "成人影片 免費在線觀看 午夜影院 福利影片", "porn"),
    ("dating", "同城约会 附近的人 一夜情 私聊看照片", "porn"),
    ("porn-hearts", "约❤炮 同❤城 交❤友 快❤约", "porn"),
    ("forgery", "办证 刻章 代开发票 各类证件 薇信同号", "black_market"),
    ("forgery-arrows", "办↓证 刻↓章 发↓票 各类证件 联系微信", "black_market"),
    ("private-server", "传奇私服 新开一秒 1.76复古", "black_market"),
    ("loan", "网贷秒批 黑户可贷 不看征信 当天放款", "loan"),
    ("loan-dots", "网.贷.秒.批 黑.户.可.贷 不.看.征.信", "loan"),
    ("loan-appended", "联系我们：地址 XX路18号 电话 023-65550186  网贷口子 黑户秒下款 当天下款", "loan"),
    ("inside-warning-paragraph", "社区开展防范电信诈骗宣传活动。办证刻章 代开发票 全国可查 联系微信", "black_market"),
]

#: Texts with one ordinary word, or warnings and news about gambling, porn and loans.
SPAM_NEAR_MISS = [
    ("welfare-lottery", "本项目使用福利彩票公益金120万元，建设社区养老服务站。"),
    ("sports-lottery", "中国体育彩票竞彩足球投注站开展理性购彩宣传。"),
    ("macau-economy", "澳门博彩业第三季度毛收入同比增长，中场百家乐收入占比上升，特区政府推动经济适度多元发展。"),
    ("macau-tourism", "澳门威尼斯人、巴黎人等综合度假村本季度客流回升。"),
    ("police-anti-gambling", "关于严厉打击网络赌博违法犯罪活动的通告：严禁利用互联网开设赌场，严禁为百家乐、六合彩、"
                             "时时彩等赌博网站提供推广、结算服务。"),
    ("gambling-forms-list", "远离网络赌博\n常见的网络赌博形式有：\n1. 百家乐\n2. 时时彩\n3. 六合彩\n4. 幸运飞艇\n5. 北京赛车"),
    ("baccarat-warning", "网络百家乐看似公平，实则后台操控，参与者最终血本无归，请广大群众远离赌博。"),
    ("liuhe-place", "南京市六合区彩虹社区开展敬老活动。"),
    ("liuhe-spaced", "六合 彩虹桥社区居委会组织居民义诊。"),
    ("lure-in-warning", "犯罪分子以“注册送彩金”“首存返利”为诱饵，诱骗群众登录境外博彩网站。"),
    ("anti-porn", "开展“扫黄打非·净网”专项行动，清理网上淫秽色情信息，查处色情网站23个。"),
    ("sextortion-warning", "警惕裸聊敲诈：不要添加陌生人微信，不要参与裸聊。"),
    ("gov-certificates", "办证大厅办理时间：工作日9:00-17:00。办证须知：携带身份证原件。"),
    ("business-startup", "开办企业一网通办：营业执照、刻章备案、申领发票一日办结。"),
    ("bank-details", "户名：青溪区慈善会 开户行：云川银行青溪支行 账号见公示。"),
    ("microcredit-news", "区小额贷款公司为农户发放创业担保贷款，财政给予贴息。"),
    ("loan-warning", "谨防网贷陷阱：所谓“黑户可贷、不看征信”都是诈骗套路。"),
    ("entertainment-venues", "《娱乐场所管理条例》规定，娱乐场所不得设置具有赌博功能的电子游戏机。"),
    ("sports-news", "硬地滚球比赛在区体育馆举行，残疾人运动员展现风采。"),
    ("voting", "网投票已开通，欢迎为“最美志愿者”投票。"),
    ("spinach-menu", "长者食堂今日菜单：菠菜炒蛋、番茄牛腩、紫菜汤。"),
    ("adult-education", "成人教育招生简章：社会工作专业，欢迎报考。"),
    ("casual-clothes", "周五可穿私服上班，请注意着装得体。"),
    ("contact-page", "联系我们：电话 023-65550186（微信同号），官网 www.qxlaoren.example"),
    ("private-game-server-news", "公安机关破获一起私服外挂案件，抓获犯罪嫌疑人5名。"),
    ("film-review", "这部伦理题材的电影探讨了家庭关系。"),
    ("single-lure-word", "本周六社区开展“义卖送温暖”活动，注册志愿者可到服务站领取马甲。"),
]


def _fraud(text: str, title: str = "") -> list:
    return list(IllegalFundraisingDetector().detect(Document(text=text, title=title), OrgContext()))


def _spam(text: str, title: str = "") -> list:
    return list(SpamInjectedDetector().detect(Document(text=text, title=title), OrgContext()))


@pytest.mark.parametrize(("text", "rule"), [c[1:] for c in FRAUD_POSITIVE], ids=[c[0] for c in FRAUD_POSITIVE])
def test_reports_illegal_fundraising(text: str, rule: str) -> None:
    (det,) = _fraud(text)
    assert (det.category, det.rule, det.severity) == ("illegal_fundraising", rule, Severity.HIGH)
    assert det.evidence.count("【") == 1 and text[det.start:det.end].replace("\n", " ") in det.evidence
    assert det.detail["line"] == text.count("\n", 0, det.start) + 1
    assert rule in det.detail["rules"]


@pytest.mark.parametrize("text", [c[1] for c in FRAUD_NEAR_MISS], ids=[c[0] for c in FRAUD_NEAR_MISS])
def test_illegal_fundraising_near_misses(text: str) -> None:
    assert _fraud(text) == []


def test_a_warning_title_covers_the_page() -> None:
    assert _fraud("一是保本付息。\n二是发展下线，拉一人奖励200元。", title="识别非法集资的常见手法") == []
    assert _fraud("一是保本付息。", title="协会2024年工作要点") != []


def test_gambling_ads_promise_is_spam_not_fundraising() -> None:
    text = "北京赛车PK10计划群，稳赚不赔，首存送彩金，网址 bj10.example"
    assert _fraud(text) == []
    assert [d.rule for d in _spam(text)] == ["gambling"]


@pytest.mark.parametrize(("text", "rule"), [c[1:] for c in SPAM_POSITIVE], ids=[c[0] for c in SPAM_POSITIVE])
def test_reports_injected_spam(text: str, rule: str) -> None:
    (det,) = _spam(text)
    assert (det.category, det.rule, det.severity) == ("spam_injected", rule, Severity.HIGH)
    assert det.evidence.count("【") == 1
    marked = det.evidence[det.evidence.index("【") + 1:det.evidence.index("】")]
    assert marked == " ".join(text[det.start:det.end].split())
    assert det.detail["score"] >= 3 and len(det.detail["terms"]) >= 2


@pytest.mark.parametrize("text", [c[1] for c in SPAM_NEAR_MISS], ids=[c[0] for c in SPAM_NEAR_MISS])
def test_spam_near_misses(text: str) -> None:
    assert _spam(text) == []


def test_spam_evidence_marks_the_original_obfuscated_text() -> None:
    text = f"{LEGIT}\n賭*博 百*家*樂 註冊送彩金"
    (det,) = _spam(text)
    assert text[det.start:det.end].startswith("百*家*樂")
    assert det.detail["line"] == 2


def test_one_spam_finding_per_page_with_every_family() -> None:
    text = "百家乐 真人视讯 注册送彩金\n" + "正文。" * 40 + "\n亚洲一区二区 欧美日韩精品 在线观看"
    (det,) = _spam(text)
    assert det.detail["rules"] == ["gambling", "porn"] and det.detail["clusters"] == 2


def test_warning_page_needs_a_call_to_fire() -> None:
    listing = "远离赌博\n百家乐、时时彩、六合彩、幸运飞艇、北京赛车、真人视讯"
    assert _spam(listing) == []
    assert _spam(listing + "\n真人视讯 百家乐 注册送彩金 网址 hg88.example") != []


def test_spam_vocabulary_is_data() -> None:
    vocab = spam_vocabulary()
    assert vocab.role["百家乐"] == ("gambling", 1) and vocab.role["真人视讯"] == ("gambling", 2)
    assert vocab.role["注册送"][0] == ""


def test_malformed_spam_vocabulary_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "spam.yaml"
    bad.write_text("families: {gambling: {strong: 甲, weak: 甲}}\ncalls: 乙\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="重复"):
        spam_vocabulary.__wrapped__(bad)
    with pytest.raises(RulePackError, match="无法读取"):
        spam_vocabulary.__wrapped__(tmp_path / "missing.yaml")


def test_run_through_analyze() -> None:
    found = {d.category for d in analyze(Document(text="保本付息，年化18%认购。\n百家乐 真人视讯 注册送彩金"))}
    assert {"illegal_fundraising", "spam_injected"} <= found


def test_are_registered_with_docstrings() -> None:
    detectors = all_detectors()
    assert detectors["illegal_fundraising"] is IllegalFundraisingDetector
    assert detectors["spam_injected"] is SpamInjectedDetector
    assert (IllegalFundraisingDetector.__doc__ or "").strip() and (SpamInjectedDetector.__doc__ or "").strip()


def test_statute_text_is_neither_fundraising_nor_spam() -> None:
    if not LAWS.exists():
        pytest.skip(f"{LAWS} is not present")
    text = LAWS.read_text(encoding="utf-8")[:300_000]
    pages = [text[k:k + 2000] for k in range(0, len(text), 2000)]
    assert [p[:40] for p in pages if _fraud(p) or _spam(p)] == []
    assert _fraud(text) == [] and _spam(text) == []
