"""Table-driven tests of the custom_lexicon detector: YAML packs matched after normalisation."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from classifier import Document, OrgContext, Severity, analyze
from classifier.detectors import lexicon
from classifier.detectors.lexicon import LexiconDetector, PhraseSet, load_pack, load_packs
from classifier.exceptions import RulePackError
from classifier.registry import all_detectors

LAWS = Path("/work/shared/bench/laws-zh.txt")
NEWS = "青溪区康宁养老服务中心开展重阳节慰问活动，为辖区八十岁以上老人送去节日问候。"

#: (id, text, [(key, the exact original substring marked)...] in text order) for the default pack.
POSITIVE = [
    ("lottery-data", f"{NEWS}六合彩资料大全", [("default:六合彩资料", "六合彩资料")]),
    ("one-zodiac", "白小姐一肖中特 黄大仙精准资料", [("default:白小姐一肖", "白小姐一肖"), ("default:黄大仙精准", "黄大仙精准")]),
    ("lottery-forum", "特码心水论坛", [("default:心水论坛", "心水论坛")]),
    ("casino-brand", "澳门新葡京官方网站", [("default:澳门新葡京", "澳门新葡京")]),
    ("live-dealer", f"{NEWS}真人视讯在线", [("default:真人视讯", "真人视讯")]),
    ("rebate", "每日存款返水无上限", [("default:存款返水", "存款返水")]),
    ("first-deposit", "首存送100%", [("default:首存送", "首存送")]),
    ("crown-sports", "皇冠体育开户", [("default:皇冠体育", "皇冠体育")]),
    ("baccarat-tips", "百家乐技巧大全", [("default:百家乐技巧", "百家乐技巧")]),
    ("racing", "北京赛车PK10计划", [("default:北京赛车pk10", "北京赛车PK10")]),
    ("spinach", "菠菜平台推荐", [("default:菠菜平台", "菠菜平台")]),
    ("porn-region", "亚洲一区二区在线观看", [("default:亚洲一区二区", "亚洲一区二区")]),
    ("porn-euro", "欧美日韩精品", [("default:欧美日韩精品", "欧美日韩精品")]),
    ("porn-selfie", "国产自拍 自拍偷拍", [("default:国产自拍", "国产自拍"), ("default:自拍偷拍", "自拍偷拍")]),
    ("porn-av", "最新AV在线观看", [("default:av在线观看", "AV在线观看")]),
    ("porn-cinema", "成人影院免费看", [("default:成人影院", "成人影院")]),
    ("porn-fuli", "福利姬写真", [("default:福利姬", "福利姬")]),
    ("obfuscated-star", "六*合*彩*资*料", [("default:六合彩资料", "六*合*彩*资*料")]),
    ("obfuscated-space", "一 肖 中 特", [("default:一肖中特", "一 肖 中 特")]),
    ("obfuscated-zero-width", "真\u200b人\u200b视\u200b讯", [("default:真人视讯", "真\u200b人\u200b视\u200b讯")]),
    ("traditional", "澳門新葡京", [("default:澳门新葡京", "澳門新葡京")]),
    ("traditional-porn", "歐美日韓精品", [("default:欧美日韩精品", "歐美日韓精品")]),
    ("fullwidth", "ＡＶ在线观看", [("default:av在线观看", "ＡＶ在线观看")]),
    ("same-word-twice-once", "六合彩资料 六合彩资料 六合彩资料", [("default:六合彩资料", "六合彩资料")]),
    ("on-second-line", f"{NEWS}\n版权所有\n平特一肖", [("default:平特一肖", "平特一肖")]),
    ("in-footer", "© 2024 青溪区志愿者协会 | 皇冠现金网 | 联系我们", [("default:皇冠现金网", "皇冠现金网")]),
]

#: Texts the default pack must leave alone: single ordinary words, statutes, warnings, news.
NEAR_MISS = [
    ("welfare-lottery", "区民政局使用福利彩票公益金资助社区养老服务设施建设。"),
    ("macau-economy", "澳门博彩业第三季度毛收入同比增长，特区政府将推动经济适度多元发展。"),
    ("police-notice", "警方提示：参与赌博违法，网络赌博更是陷阱，请广大群众自觉抵制。"),
    ("baccarat-warning", "网络百家乐看似公平，实则后台操控，参与者最终血本无归。"),
    ("liuhe-place", "南京市六合区彩虹社区开展敬老活动。"),
    ("liuhe-colour", "六合彩虹桥下的志愿者正在清理河道。"),
    ("sports-lottery", "中国体育彩票助力全民健身，体彩公益金投入社区健身路径建设。"),
    ("java", "协会开设Java编程公益课，欢迎青少年报名。"),
    ("av-equipment", "会议室新添AV设备一套，用于远程培训。"),
    ("one-district", "疫情防控期间，全区划分为一区、二区、三区分类管理。"),
    ("crown", "皇冠假日酒店举办慈善晚宴。"),
    ("venice", "澳门威尼斯人度假村举行公益音乐会。"),
    ("sunshine-city", "太阳城社区居委会组织居民开展垃圾分类。"),
    ("spinach", "社区食堂今日菜单：菠菜炒蛋、红烧豆腐。"),
    ("movie-history", "本片是二十世纪八十年代香港电影的代表作之一。"),
    ("anti-porn", "开展“扫黄打非·净网”专项行动，清理网上淫秽色情信息。"),
    ("adult-education", "成人教育学院开设社会工作专业，欢迎在职人员报考。"),
    ("statute", "第七十四条 违反本法规定，开设赌场的，依照刑法有关规定处罚。"),
    ("lottery-regulation", "彩票发行机构、彩票销售机构应当建立风险控制制度。"),
    ("fuli", "福利院的孩子们收到了志愿者送来的新年礼物。"),
    ("selfie-news", "活动现场，老人们拿出手机自拍，留下了快乐的瞬间。"),
    ("horse-racing", "香港赛马会慈善信托基金资助本会长者服务项目。"),
    ("empty", ""),
    ("whitespace", "   \n  "),
    ("numbers", "联系电话：023-65550186，邮编：400000"),
]


def _run(text: str) -> list:
    return list(LexiconDetector().detect(Document(text=text), OrgContext()))


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_reports_default_pack_words(text: str, expected: list[tuple[str, str]]) -> None:
    found = _run(text)
    assert [(d.key, text[d.start:d.end]) for d in found] == expected
    for det in found:
        assert det.category == "custom_lexicon"
        assert det.rule == "default"
        assert det.severity == Severity.MEDIUM
        assert "【" + re.sub(r"\s+", " ", text[det.start:det.end]) + "】" in det.evidence
        assert det.detail["line"] == text.count("\n", 0, det.start) + 1


@pytest.mark.parametrize("text", [c[1] for c in NEAR_MISS], ids=[c[0] for c in NEAR_MISS])
def test_near_misses_are_not_reported(text: str) -> None:
    assert _run(text) == []


def _pack(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


CUSTOM = """
name: 本局词库
category: custom_lexicon
severity: high
words: [彩票, 代孕, 网络赌博, VPN]
allow: [福利彩票, 体育彩票, 打击网络赌博]
"""

#: (id, text, expected keys) for a deployment's own pack with allowed phrases.
CUSTOM_CASES = [
    ("word", "彩票平台开户", ["本局词库:彩票"]),
    ("allowed-welfare", "福利彩票公益金", []),
    ("allowed-sports", "体育彩票销售点", []),
    ("allowed-then-word", "福利彩票和彩票平台", ["本局词库:彩票"]),
    ("allowed-phrase-before-word", "严厉打击网络赌博", []),
    ("word-alone", "网络赌博平台", ["本局词库:网络赌博"]),
    ("two-words", "代孕 彩票", ["本局词库:代孕", "本局词库:彩票"]),
    ("latin-whole-word", "翻墙VPN下载", ["本局词库:VPN"]),
    ("latin-inside-word", "OpenVPNx 配置", []),
    ("obfuscated", "代*孕", ["本局词库:代孕"]),
]


@pytest.mark.parametrize(("text", "keys"), [c[1:] for c in CUSTOM_CASES], ids=[c[0] for c in CUSTOM_CASES])
def test_custom_pack_with_allow_list(tmp_path: Path, text: str, keys: list[str]) -> None:
    packs = load_packs([_pack(tmp_path, "bureau", CUSTOM)], default_dir=None)
    found = list(LexiconDetector(packs).detect(Document(text=text), OrgContext()))
    assert [d.key for d in found] == keys
    assert all(d.severity == Severity.HIGH and d.rule == "本局词库" for d in found)


def test_pack_may_report_another_category(tmp_path: Path) -> None:
    path = _pack(tmp_path, "spam", "name: extra-spam\ncategory: spam_injected\nseverity: high\nwords: [某某娱乐]\n")
    found = list(LexiconDetector([load_pack(path)]).detect(Document(text="欢迎光临某某娱乐"), OrgContext()))
    assert [(d.category, d.rule, d.key) for d in found] == [("spam_injected", "extra-spam", "extra-spam:某某娱乐")]


def test_count_and_first_position(tmp_path: Path) -> None:
    path = _pack(tmp_path, "p", "name: p\nwords: [代孕]\n")
    text = "甲\n代孕乙\n代 孕"
    (det,) = LexiconDetector([load_pack(path)]).detect(Document(text=text), OrgContext())
    assert (det.start, det.end, det.detail["count"], det.detail["line"]) == (2, 4, 2, 2)
    assert det.severity == Severity.MEDIUM  # the default


def test_loader_reads_default_dir_and_extra_paths(tmp_path: Path) -> None:
    extra_dir = tmp_path / "extra"
    extra_dir.mkdir()
    _pack(extra_dir, "a", "name: a\nwords: [甲词]\n")
    single = _pack(tmp_path, "b", "name: b\nwords: [乙词]\n")
    names = [p.name for p in load_packs([extra_dir, single])]
    assert names == ["default", "a", "b"]


def test_configure_sets_extra_paths_for_the_registered_detector(tmp_path: Path) -> None:
    path = _pack(tmp_path, "c", "name: c\nwords: [测试专用词]\n")
    try:
        lexicon.configure([path])
        assert [d.key for d in analyze(Document(text="测试专用词")) if d.category == "custom_lexicon"] == ["c:测试专用词"]
    finally:
        lexicon.configure([])
    assert [d for d in analyze(Document(text="测试专用词")) if d.category == "custom_lexicon"] == []


@pytest.mark.parametrize(("body", "message"), [
    ("- a list", "映射"),
    ("name: x\nwords: []\n", "没有 words"),
    ("words: [甲]\n", "name"),
    ("name: x\ncategory: politics\nwords: [甲]\n", "category"),
    ("name: x\nseverity: urgent\nwords: [甲]\n", "severity"),
    ("name: x\nwords: 甲\n", "words"),
    ("name: x\nwords: [甲]\nallow: [乙丙]\n", "allow"),
    ("name: x\nwords: [甲]\ncolour: red\n", "未知字段"),
    ("name: [unclosed\n", "无法读取"),
])
def test_malformed_packs_are_refused(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(RulePackError, match=message):
        load_pack(_pack(tmp_path, "bad", body))


def test_duplicate_names_and_missing_paths_are_refused(tmp_path: Path) -> None:
    one = _pack(tmp_path, "one", "name: same\nwords: [甲]\n")
    two = _pack(tmp_path, "two", "name: same\nwords: [乙]\n")
    with pytest.raises(RulePackError, match="重复"):
        load_packs([one, two], default_dir=None)
    with pytest.raises(RulePackError, match="找不到"):
        load_packs([tmp_path / "missing.yaml"])


def test_phrase_set_prefers_longest_allowed_phrase() -> None:
    phrases = PhraseSet(["彩票"], ["福利彩票"])
    assert [(h.word, h.start) for h in phrases.find("福利彩票彩票")] == [("彩票", 4)]


def test_default_pack_holds_no_single_common_words() -> None:
    (default,) = [p for p in load_packs() if p.name == "default"]
    words = set(default.phrases._word_of.values()) - {None}
    assert not words & {"彩票", "博彩", "赌博", "百家乐", "色情", "六合彩", "时时彩"}


def test_is_registered_with_a_docstring() -> None:
    assert all_detectors()["custom_lexicon"] is LexiconDetector
    assert LexiconDetector.kind == "custom_lexicon"
    assert (LexiconDetector.__doc__ or "").strip()


def test_statute_text_has_no_lexicon_words() -> None:
    if not LAWS.exists():
        pytest.skip(f"{LAWS} is not present")
    text = LAWS.read_text(encoding="utf-8")[:300_000]
    assert _run(text) == []
