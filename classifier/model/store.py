"""Saving and loading a model with its provenance: ``model.joblib`` plus ``meta.json``.

``meta.json`` records the training-data snapshot, the library versions, the git commit, the
domain dictionary's hash, the thresholds and the scores. :func:`load` refuses a model whose
versions or dictionary differ from the running ones, with a message saying how to retrain.
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import warnings
from pathlib import Path

from classifier.model.errors import ModelError
from classifier.model.paths import SHIPPED_DIR
from classifier.model.training import TrainedModel
from classifier.tokenize import dictionary_fingerprint

MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
FORMAT = 1
_REPO = Path(__file__).resolve().parents[2]
RETRAIN = "请运行 orgwatch model train 重新训练模型（见 docs/retraining.md）"


def library_versions() -> dict[str, str]:
    """The versions a pickled pipeline depends on."""
    import jieba
    import importlib.metadata

    import joblib
    import numpy
    import scipy
    import sklearn

    return {
        "rjieba": importlib.metadata.version("rjieba"),
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "jieba": jieba.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def git_commit() -> str:
    """The repository's HEAD commit, with ``-dirty`` when the work tree has changes; or ``unknown``."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=_REPO, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=_REPO,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def provenance() -> dict:
    """What a model was made with: versions, commit and the domain dictionary's hash."""
    return {"format": FORMAT, "versions": library_versions(), "git_commit": git_commit(),
            "dictionary": dictionary_fingerprint()}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(model: TrainedModel, directory: Path | str) -> Path:
    """Write ``model.joblib`` (compressed) and ``meta.json`` to ``directory``; return the meta path."""
    import joblib

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    meta = {**model.meta, **{k: v for k, v in provenance().items() if k not in model.meta}}
    model_path = directory / MODEL_FILE
    joblib.dump(model.pipeline, model_path, compress=("zlib", 6))
    meta["model_sha256"] = _sha256(model_path)
    model.meta = meta
    meta_path = directory / META_FILE
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return meta_path


def read_meta(directory: Path | str) -> dict:
    """The ``meta.json`` of a saved model."""
    path = Path(directory) / META_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"找不到模型说明文件 {path}：{RETRAIN}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"模型说明文件 {path} 无法读取：{exc}；{RETRAIN}") from exc


def mismatches(meta: dict) -> list[str]:
    """How the running environment differs from the one ``meta`` was trained in."""
    problems = []
    if meta.get("format") != FORMAT:
        problems.append(f"模型格式 {meta.get('format')}，当前程序需要格式 {FORMAT}")
    saved, now = meta.get("versions", {}), library_versions()
    for lib in ("scikit-learn", "rjieba"):
        if saved.get(lib) != now[lib]:
            problems.append(f"{lib} 训练时为 {saved.get(lib) or '（未记录）'}，当前为 {now[lib]}")
    if saved.get("python", "").rsplit(".", 1)[0] != now["python"].rsplit(".", 1)[0]:
        problems.append(f"Python 训练时为 {saved.get('python')}，当前为 {now['python']}")
    if meta.get("dictionary") != dictionary_fingerprint():
        problems.append("分词词典、停用词（config/jieba/）或分词设置（HMM）在训练后被修改")
    return problems


def load(directory: Path | str = SHIPPED_DIR) -> TrainedModel:
    """Load a saved model after checking its files and versions; raise ``ModelError`` otherwise."""
    import joblib

    directory = Path(directory)
    meta = read_meta(directory)
    problems = mismatches(meta)
    if problems:
        raise ModelError(f"模型 {directory} 与当前环境不一致：{'；'.join(problems)}。{RETRAIN}。")
    model_path = directory / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"找不到模型文件 {model_path}：{RETRAIN}")
    if meta.get("model_sha256") != _sha256(model_path):
        raise ModelError(f"模型文件 {model_path} 与 {META_FILE} 记录的校验值不符（文件被替换或损坏）：{RETRAIN}")
    from sklearn.exceptions import InconsistentVersionWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            pipeline = joblib.load(model_path)
        except InconsistentVersionWarning as exc:
            raise ModelError(f"模型 {model_path} 由另一版本的 scikit-learn 保存（{exc}）：{RETRAIN}") from exc
        except Exception as exc:  # unpickling can fail in many ways; all mean "retrain"
            raise ModelError(f"模型文件 {model_path} 无法加载（{type(exc).__name__}: {exc}）：{RETRAIN}") from exc
    return TrainedModel(pipeline=pipeline, meta=meta)
