"""The shared tokenizer: domain words stay whole, tokens rebuild the text, pipelines pickle."""
from __future__ import annotations

import pickle

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from classifier.base import Document
from classifier.model import build_pipeline
from classifier.tokenize import HMM, STOPWORDS, USERDICT, dictionary_fingerprint, stopwords, tokenize


@pytest.mark.parametrize(("text", "word"), [
    ("本会具有公开募捐资格，可以开展公开募捐活动。", "公开募捐"),
    ("募捐方案已于活动开始前报民政部门备案。", "募捐方案"),
    ("统一社会信用代码：53110000500000000X", "统一社会信用代码"),
    ("我们是在区民政局登记的社会服务机构。", "社会服务机构"),
    ("原民办非企业单位现统称社会服务机构。", "民办非企业单位"),
    ("业务主管单位为市科学技术协会。", "业务主管单位"),
    ("本基金会是慈善组织。", "慈善组织"),
    ("真人百家乐，体育投注，注册就送。", "百家乐"),
    ("承诺保本保息、稳赚不赔的都是骗局。", "保本保息"),
    ("发展下线越多，返利越高。", "发展下线"),
    ("扫码捐款，支持乡村图书室。", "扫码捐款"),
])
def test_domain_words_stay_whole(text, word):
    assert word in tokenize(text)


@pytest.mark.parametrize("text", [
    "",
    "普通的一句话。",
    "  两个空格\n\n换行\t制表符\u3000全角空格  ",
    "Mixed English 和中文 2024年 30% ＡＢＣ",
    "零\u200b宽\u200b字\u200b符 和 emoji 🎉",
])
def test_tokens_concatenate_to_the_text(text):
    assert "".join(tokenize(text)) == text


def test_document_tokens_are_the_shared_tokenizer():
    text = "基金会开展公开募捐，须有募捐方案。"
    assert Document(text=text).tokens == tokenize(text)


def test_stop_words_are_function_words_only():
    words = stopwords()
    assert {"的", "了", "和"} <= words
    assert not words & {"您", "我们", "请", "捐款", "投资"}  # address and topic words carry signal


def test_dictionary_files_are_in_config_and_fingerprinted():
    assert USERDICT.parent.name == "jieba" and USERDICT.parent.parent.name == "config"
    fingerprint = dictionary_fingerprint()
    assert set(fingerprint) == {USERDICT.name, STOPWORDS.name, "hmm"}
    assert all(len(fingerprint[name]) == 64 for name in (USERDICT.name, STOPWORDS.name))


def test_tokenize_pickles_by_reference():
    assert pickle.loads(pickle.dumps(tokenize)) is tokenize


def test_a_fitted_vectorizer_using_tokenize_pickles():
    texts = ["公开募捐须备案募捐方案", "真人百家乐注册就送", "本会召开理事会", "保本保息稳赚不赔"]
    labels = ["a", "b", "a", "b"]
    pipe = make_pipeline(TfidfVectorizer(tokenizer=tokenize, token_pattern=None), LogisticRegression())
    pipe.fit(texts, labels)
    again = pickle.loads(pickle.dumps(pipe))
    assert (again.predict_proba(texts) == pipe.predict_proba(texts)).all()


def test_the_model_pipeline_pickles_round_trip():
    texts = [f"{w}第{i}条" for i in range(10) for w in ("公开募捐方案备案", "百家乐真人娱乐", "理事会会议纪要", "保本保息高额回报")]
    labels = [lab for _ in range(10) for lab in ("donation_appeal", "spam_injected", "benign", "illegal_fundraising")]
    pipe = build_pipeline(seed=0).fit(texts, labels)
    again = pickle.loads(pickle.dumps(pipe))
    assert (again.predict_proba(texts) == pipe.predict_proba(texts)).all()


def test_tokens_are_jiebas_words_with_the_domain_dictionary():
    """rjieba (jieba in Rust) segments as jieba itself does, with the same dictionary."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    reference.initialize()
    reference.load_userdict(str(USERDICT))
    texts = [
        "本会具有公开募捐资格，募捐方案已报民政部门备案，统一社会信用代码为53110000500000000X。",
        "澳门线上娱乐城，真人视讯、电子游艺，新会员首充即送彩金，每日返水无上限。",
        "第二十四条 开展公开募捐，应当制定募捐方案。募捐方案包括募捐目的、起止时间和地域。",
        "首页 | 协会简介 | 通知公告 | 联系我们\n版权所有 © 2025 澄江市志愿者协会 澄ICP备12345678号-1",
    ]
    for text in texts:
        assert tokenize(text) == reference.lcut(text, HMM=HMM)
