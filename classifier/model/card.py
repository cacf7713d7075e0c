"""The generated part of docs/model-card.md: written between markers so hand-written parts stay."""
from __future__ import annotations

from pathlib import Path

from classifier.model.evaluation import THRESHOLD_GRID, Report
from classifier.model.training import TARGET_PRECISION

BEGIN = "<!-- BEGIN GENERATED: orgwatch model evaluate -->"
END = "<!-- END GENERATED: orgwatch model evaluate -->"


#: The page sets of :func:`classifier.model.pagelevel.evaluate_pages`, by name.
PAGE_SETS = {
    "heldout_pages": "留出页面中的正常页面",
    "laws_unseen": "法规页面（未进入训练的法律）",
    "laws_background": "法规页面（部分段落用作背景数据的法律）",
}


def _pct(x: float) -> str:
    return f"{x:.3f}"


def page_lines(pages: dict) -> list[str]:
    """Page-level figures in a few lines: false findings per 100 benign pages, per-label P/R."""
    lines = []
    for name, figures in pages.items():
        lines.append(f"{PAGE_SETS.get(name, name)}：{figures['pages']} 页，模型误报 {figures['false_findings']} 页"
                     f"（每百页 {figures['false_findings_per_100']:.2f}），误判为募捐号召 {figures['false_appeals']} 页")
    per_label = pages.get("heldout_pages", {}).get("per_label", {})
    for label, s in per_label.items():
        lines.append(f"留出页面 {label}：精确率 {_pct(s['precision'])}，召回率 {_pct(s['recall'])}"
                     f"（命中 {s['tp']}，误报 {s['fp']}，漏报 {s['fn']}）")
    return lines


def _page_section(pages: dict) -> list[str]:
    if not pages:
        return []
    held = pages.get("heldout_pages", {})
    lines = ["", "### 页面级结果（Page-level results）", "",
             f"按整页判断（页面取最强的段落，与 `model_detections` 相同，不计规则）。留出页面共 {held.get('all_pages', 0)} 页"
             "（`classifier/data/pages_heldout.jsonl`）；法规页面是基准文本切成的 2000 字页面，全部为正常文本。", "",
             "| 页面集 | 页数 | 模型误报页数 | 每百页误报 | 误判为募捐号召 |", "|---|---|---|---|---|"]
    for name, f in pages.items():
        lines.append(f"| {PAGE_SETS.get(name, name)} | {f['pages']} | {f['false_findings']} | "
                     f"{f['false_findings_per_100']:.2f} | {f['false_appeals']} |")
    lines += ["", "| 标签（留出页面） | 精确率 | 召回率 | 命中 | 误报 | 漏报 |", "|---|---|---|---|---|---|"]
    for label, s in held.get("per_label", {}).items():
        lines.append(f"| {label} | {_pct(s['precision'])} | {_pct(s['recall'])} | {s['tp']} | {s['fp']} | {s['fn']} |")
    if held.get("errors"):
        lines += ["", "判错的留出页面：", ""]
        lines += [f"- {e['source']}：应为 {e['expected'] or '正常'}，模型给出 {e['got'] or '正常'}" for e in held["errors"]]
    return lines


def render(meta: dict, report: Report, comparison: dict | None = None) -> str:
    """The Markdown of the generated section for the model ``meta`` evaluated in ``report``."""
    labels = report.labels
    versions = meta.get("versions", {})
    training = meta.get("training_data", {})
    lines = [
        "### 模型与数据（Model and data）",
        "",
        f"- 模型文件 SHA-256：`{meta.get('model_sha256', '')[:16]}…`，训练于 {meta.get('trained_at', '')}，"
        f"代码提交 `{meta.get('git_commit', '')}`，随机种子 {meta.get('seed')}",
        f"- 训练数据快照：`{training.get('snapshot', '')[:16]}…`，{training.get('examples')} 条，"
        f"各标签 {training.get('labels')}，来源 {training.get('origins')}",
        f"- 评估数据：{report.data['name']}，{report.data['examples']} 条，快照 `{report.data['snapshot'][:16]}…`",
        "- 版本：" + "，".join(f"{k} {v}" for k, v in versions.items()),
        "",
        f"### 留出集结果（Held-out results）：准确率 {_pct(report.accuracy)}，宏平均 F1 **{_pct(report.macro_f1)}**",
        "",
        "| 标签 | 精确率 precision | 召回率 recall | F1 | 样本数 |",
        "|---|---|---|---|---|",
    ]
    for label in labels:
        s = report.per_label[label]
        lines.append(f"| {label} | {_pct(s['precision'])} | {_pct(s['recall'])} | {_pct(s['f1'])} | {s['support']} |")
    lines += ["", "混淆矩阵（行为真实标签，列为预测标签）：", "",
              "| 真实 \\ 预测 | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, report.confusion):
        lines.append(f"| {label} | " + " | ".join(str(n) for n in row) + " |")
    validation = meta.get("validation", {}).get("per_label_at_threshold", {})
    lines += [
        "", "### 阈值（Thresholds）",
        "",
        f"阈值在训练数据的 {meta.get('threshold_rule', {}).get('folds', 5)} 折交叉验证概率上选取：精确率不低于 "
        f"{TARGET_PRECISION} 的最低阈值（且不低于 {meta.get('threshold_rule', {}).get('min_threshold', 0.5)}），"
        f"再提高到验证页面（生成的正常页面、背景法规的段落组和整页，每页由没见过它的交叉验证模型打分）中最多 "
        f"{100 * meta.get('threshold_rule', {}).get('max_page_false_rate', 0):g}% 被标出的阈值。"
        "分数是每个标签各自校准的概率（one-vs-rest），四个分数之和不一定为 1。",
        "",
        "| 标签 | 阈值 | 验证页面误报 | 验证集精确率 | 验证集召回率 | 留出集精确率 | 留出集召回率 | 留出集达到 0.9？ |",
        "|---|---|---|---|---|---|---|---|",
    ]
    page_validation = meta.get("validation", {}).get("benign_pages", {})
    for label, at in report.at_threshold.items():
        v, pv = validation.get(label, {}), page_validation.get(label)
        pages_flagged = f"{pv['flagged']}/{pv['pages']}" if pv else "—"
        lines.append(
            f"| {label} | {at['threshold']:.4f} | {pages_flagged} | "
            f"{_pct(v.get('precision', float('nan')))} | "
            f"{_pct(v.get('recall', float('nan')))} | {_pct(at['precision'])} | {_pct(at['recall'])} | "
            f"{'是' if at['meets_target'] else '**否**'} |"
        )
    short = [label for label, at in report.at_threshold.items() if not at["meets_target"]]
    if short:
        lines += ["", f"**注意：** {', '.join(short)} 在留出集上、按所选阈值的精确率低于 {TARGET_PRECISION}。"]
    lines += ["", "不同阈值下的留出集精确率 / 召回率：", "",
              "| 标签 | " + " | ".join(f"≥{t}" for t in THRESHOLD_GRID) + " |", "|---" * (len(THRESHOLD_GRID) + 1) + "|"]
    for label, grid in report.threshold_grid.items():
        lines.append(f"| {label} | " + " | ".join(f"{_pct(g['precision'])} / {_pct(g['recall'])}" for g in grid) + " |")
    if report.by_difficulty:
        lines += ["", "按难度（difficulty）：", "", "| 难度 | 样本数 | 准确率 | 宏平均 F1 |", "|---|---|---|---|"]
        for level, d in report.by_difficulty.items():
            lines.append(f"| {level} | {d['examples']} | {_pct(d['accuracy'])} | {_pct(d['macro_f1'])} |")
    lines += _page_section(report.pages)
    if comparison:
        lines += ["", "### 与上一个模型比较（same held-out set）", "",
                  f"- 宏平均 F1：{_pct(comparison['macro_f1']['old'])} → {_pct(comparison['macro_f1']['new'])}"
                  f"（{comparison['macro_f1']['change']:+.4f}）"]
        for label, d in comparison["f1"].items():
            lines.append(f"- {label} F1：{_pct(d['old'])} → {_pct(d['new'])}（{d['change']:+.4f}）")
        for name, d in comparison.get("false_findings", {}).items():
            lines.append(f"- {PAGE_SETS.get(name, name)}误报页数：{d['old']} → {d['new']}（共 {d['pages']} 页）")
    return "\n".join(lines) + "\n"


def update(path: Path | str, section: str) -> Path:
    """Replace the text between the markers in ``path`` (appending them if absent)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{BEGIN}\n{section}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
