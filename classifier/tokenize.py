"""The one tokenizer: jieba, loaded once per process, as a module-level function so pipelines pickle."""
from __future__ import annotations

import logging
import threading

_lock = threading.Lock()
_jieba = None


def _load():
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def tokenize(text: str) -> list[str]:
    """jieba's precise-mode words of ``text``."""
    return (_jieba or _load()).lcut(text)
