"""The feedback loop end to end: reviewers' verdicts in a real SQLite database become training
examples of ``orgwatch model train --with-feedback``; the new model is compared with the
installed one on the same held-out set and installed only when it is not worse."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.model.store import META_FILE, MODEL_FILE
from classifier.model.workflow import corpus_examples
from models.db import Database
from models.entities import Finding
from models.feedback import record_feedback
from tests.unit.models.conftest import database_with_org
from tests.unit.classifier.test_model import _subset

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
PER_LABEL = 30


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return corpus_examples(background=False)


@pytest.fixture()
def cmd(monkeypatch, corpus):
    import orgwatch.cli  # noqa: F401 - the commands module is imported through the CLI that registers it
    import orgwatch.modelcmd as modelcmd
    from classifier.model import workflow

    # The command imports the corpus reader when it runs (scikit-learn stays out of CLI start-up).
    monkeypatch.setattr(workflow, "corpus_examples", lambda background=True: _subset(PER_LABEL))
    return modelcmd


@pytest.fixture()
def db(tmp_path):
    # the database the commands use: the default SQLite file in the (test's) data directory
    database = database_with_org(tmp_path / "xdg" / "orgwatch" / "orgwatch.db")
    yield database
    database.dispose()


def _review(db: Database, passages: list[tuple[str, str, str]]) -> None:
    """Store one model finding per (category, passage) and the reviewer's verdict on it."""
    with db.session() as s:
        for n, (category, passage, verdict) in enumerate(passages):
            finding = Finding(fingerprint=f"fp{n}", org_id="org1", url=f"http://127.0.0.1/{n}", category=category,
                              rule="model", severity="medium", evidence=f"【{passage[:20]}】", first_seen=NOW,
                              last_seen=NOW, detail={"model": True, "passage": passage})
            s.add(finding)
            s.flush()
            record_feedback(s, finding=finding, verdict=verdict, author="审核员", note=None, now=NOW)


def _train(cmd, out: Path, tmp_path: Path, *extra: str):
    return CliRunner().invoke(cmd.model, ["train", "--out", str(out), "--laws", str(tmp_path / "no-laws.txt"), *extra])


def test_reviewed_passages_train_the_next_model(cmd, db, tmp_path):
    _review(db, [
        ("spam_injected", "网站首页 | 协会简介 | 通知公告 | 志愿服务 | 联系我们 | 设为首页 | 加入收藏", "false_positive"),
        ("illegal_fundraising", "本会定于本月召开会员大会，审议年度财务报告和会费标准。", "false_positive"),
        ("spam_injected", "澳门线上娱乐城，真人视讯，注册即送彩金，每日返水无上限", "confirmed"),
    ])
    out = tmp_path / "m"
    result = _train(cmd, out, tmp_path, "--with-feedback")
    assert result.exit_code == 0, result.output
    assert "加入 3 条复核反馈" in result.output
    meta = json.loads((out / META_FILE).read_text(encoding="utf-8"))
    assert meta["training_data"]["origins"]["feedback"] == 3
    assert meta["training_data"]["examples"] == 4 * PER_LABEL + 3


def test_a_model_made_worse_by_wrong_verdicts_is_not_installed(cmd, db, corpus, tmp_path):
    out, archive = tmp_path / "m", tmp_path / "xdg" / "orgwatch" / "models"
    first = _train(cmd, out, tmp_path)
    assert first.exit_code == 0, first.output
    installed = (out / MODEL_FILE).read_bytes()

    # a careless reviewer marks 60 real spam and scheme passages (not the ones trained on) as false positives
    unused = [ex for ex in corpus if ex["label"] in ("spam_injected", "illegal_fundraising")][2 * PER_LABEL:]
    _review(db, [(ex["label"], ex["text"], "false_positive") for ex in unused[::5][:60]])
    worse = _train(cmd, out, tmp_path, "--with-feedback")
    assert worse.exit_code == 1, worse.output
    assert "未替换" in worse.output
    assert (out / MODEL_FILE).read_bytes() == installed  # the installed model stays
    candidate = archive / "candidate"
    assert json.loads((candidate / META_FILE).read_text(encoding="utf-8"))["training_data"]["origins"]["feedback"] == 60

    # the rejected model, evaluated against the installed one on the same held-out set, is worse
    report_cmd = CliRunner().invoke(cmd.model, ["evaluate", "--model", str(candidate), "--against", str(out),
                                                "--laws", str(tmp_path / "no-laws.txt")])
    assert report_cmd.exit_code == 0, report_cmd.output
    reports = sorted((archive / "reports").glob("evaluation-*.json"))
    comparison = json.loads(reports[-1].read_text(encoding="utf-8"))["comparison"]
    assert comparison["same_data"] is True
    assert comparison["macro_f1"]["change"] < 0
