"""The ``orgwatch model`` commands: train and evaluate the text model (registered in :mod:`orgwatch.cli`).

Thin: they call :mod:`classifier.model.workflow`, write the evaluation report (JSON under the
data directory, and the generated part of docs/model-card.md) and print a summary.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from classifier.model.errors import ModelError
from classifier.model.paths import LAWS_TEXT, SHIPPED_DIR
from orgwatch.cli import common_options, console, err_console
from orgwatch.runtime import Runtime

if TYPE_CHECKING:
    from classifier.model.evaluation import Report

# The model's own modules import scikit-learn (over a second); each command imports them when it runs.

MODEL_CARD = Path(__file__).resolve().parents[1] / "docs" / "model-card.md"


laws_option = click.option(
    "--laws", type=click.Path(dir_okay=False, path_type=Path), default=LAWS_TEXT, show_default=True,
    help="法规文本：切成 2000 字的页面，测量正常页面上的误报（文件不存在时跳过）。")


def _archive(rt: Runtime) -> Path:
    return rt.data_dir / "models"


def _report_path(rt: Runtime, kind: str) -> Path:
    return _archive(rt) / "reports" / f"{kind}-{rt.now().strftime('%Y%m%d-%H%M%S')}.json"


def _is_shipped(directory: Path) -> bool:
    return directory.resolve() == SHIPPED_DIR.resolve()


def _print_report(report: Report) -> None:
    from classifier.model import card

    table = Table(title=f"留出集 {report.data['examples']} 条：准确率 {report.accuracy:.3f}，宏平均 F1 {report.macro_f1:.3f}")
    for col in ("标签", "精确率", "召回率", "F1", "阈值", "阈值处精确率/召回率"):
        table.add_column(col)
    for label in report.labels:
        s = report.per_label[label]
        at = report.at_threshold.get(label)
        table.add_row(label, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}",
                      f"{at['threshold']:.4f}" if at else "—",
                      f"{at['precision']:.3f} / {at['recall']:.3f}" if at else "—")
    console.print(table)
    for line in card.page_lines(report.pages):
        console.print(line, highlight=False)
    if report.comparison:
        c = report.comparison["macro_f1"]
        console.print(f"与上一个模型相比：宏平均 F1 {c['old']:.3f} → {c['new']:.3f}（{c['change']:+.4f}）")
        for name, d in report.comparison.get("false_findings", {}).items():
            console.print(f"  {card.PAGE_SETS.get(name, name)}：误报页面 {d['old']} → {d['new']}（共 {d['pages']} 页）")


def _feedback_examples(rt: Runtime) -> list[dict]:
    try:
        from models.feedback import feedback_examples
    except ImportError as exc:
        raise ModelError(f"无法读取复核反馈（{exc}）：此版本尚未提供 models.feedback") from exc
    with rt.db.session() as session:
        return [{**ex, "origin": "feedback"} for ex in feedback_examples(session)]


@click.group("model")
def model() -> None:
    """训练和评估文本模型（见 docs/retraining.md 和 docs/model-card.md）。"""


@model.command("train")
@click.option("--with-feedback", is_flag=True, help="把复核人员标记为误报或确认的段落加入训练数据。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=SHIPPED_DIR,
              show_default="classifier/model_data", help="模型目录；只有新模型在留出集上不差于其中的旧模型时才替换。")
@click.option("--seed", type=int, default=0, show_default=True, help="随机种子；相同数据和种子得到相同模型。")
@click.option("--no-background", is_flag=True, help="不使用法规段落作为良性背景数据（只用语料库）。")
@click.option("--force", is_flag=True, help="即使新模型在留出集上更差也替换。")
@laws_option
@common_options
def train_cmd(rt: Runtime, with_feedback: bool, out_dir: Path, seed: int, no_background: bool, force: bool,
              laws: Path) -> None:
    """训练模型，在留出集上评估，并在不变差时替换旧模型（写入 model.joblib 和 meta.json）。"""
    from classifier.model import card
    from classifier.model.workflow import corpus_examples, train_and_install

    examples = corpus_examples(background=not no_background)
    if with_feedback:
        feedback = _feedback_examples(rt)
        console.print(f"加入 {len(feedback)} 条复核反馈。")
        examples += feedback
    with console.status("正在训练（交叉验证选阈值，然后在全部数据上拟合）…"):
        outcome = train_and_install(examples, out_dir=out_dir, archive_dir=_archive(rt), seed=seed, force=force,
                                    laws=laws)
    outcome.report.comparison = outcome.comparison
    report_path = outcome.report.write_json(_report_path(rt, "train"))
    _print_report(outcome.report)
    console.print("；".join(outcome.decision.reasons))
    console.print(f"评估报告：{report_path}")
    if not outcome.decision.replace:
        err_console.print(f"[bold red]新模型在留出集上比现有模型差，未替换。[/]新模型保存在 {outcome.saved_to}；"
                          "确认要替换请加 --force。", highlight=False)
        sys.exit(1)
    console.print(f"模型已保存到 {outcome.saved_to}" + (f"（旧模型存档于 {outcome.archived}）" if outcome.archived else ""))
    if _is_shipped(outcome.saved_to) and MODEL_CARD.exists():
        card.update(MODEL_CARD, card.render(outcome.model.meta, outcome.report, outcome.comparison))
        console.print(f"已更新 {MODEL_CARD}")


@model.command("evaluate")
@click.option("--model", "model_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=SHIPPED_DIR, show_default="classifier/model_data", help="要评估的模型目录。")
@click.option("--against", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="与这个模型比较（默认：上次训练替换下来的模型，如有）。")
@click.option("--card", "card_path", type=click.Path(dir_okay=False, path_type=Path),
              help="把结果写入这个模型卡（默认：评估随附模型时写入 docs/model-card.md）。")
@laws_option
@common_options
def evaluate_cmd(rt: Runtime, model_dir: Path, against: Path | None, card_path: Path | None, laws: Path) -> None:
    """在留出集上评估模型：各标签精确率、召回率、F1、混淆矩阵和各阈值下的表现，写入报告和模型卡。"""
    from classifier.model import card
    from classifier.model.evaluation import compare
    from classifier.model.workflow import evaluate_dir, heldout_examples

    heldout = heldout_examples()
    meta, report = evaluate_dir(model_dir, heldout, laws)
    previous = _archive(rt) / "previous"
    if against is not None:
        report.comparison = compare(evaluate_dir(against, heldout, laws)[1].summary(), report.summary())
    elif previous.is_dir() and not _is_shipped(previous):
        try:
            report.comparison = compare(evaluate_dir(previous, heldout, laws)[1].summary(), report.summary())
        except ModelError as exc:  # e.g. trained before a library upgrade: nothing to compare with
            err_console.print(f"上一个模型 {previous} 无法用于比较，已跳过：{exc}", highlight=False)
    report_path = report.write_json(_report_path(rt, "evaluation"))
    _print_report(report)
    recorded = meta.get("heldout", {}).get("macro_f1")
    if recorded is not None and report.macro_f1 < recorded - 1e-9:
        err_console.print(f"[bold red]宏平均 F1 {report.macro_f1:.4f} 低于训练时记录的 {recorded:.4f}。[/]", highlight=False)
    console.print(f"评估报告：{report_path}")
    if card_path is None and _is_shipped(model_dir) and MODEL_CARD.exists():
        card_path = MODEL_CARD
    if card_path is not None:
        card.update(card_path, card.render(meta, report, report.comparison))
        console.print(f"已更新 {card_path}")
