"""The one tokenizer: jieba with orgwatch's domain dictionary, loaded once per process.

:func:`tokenize` is a module-level function, so fitted pipelines that call it pickle
(a bound ``jieba.lcut`` or a lambda does not). Its tokens concatenate back to the input
text exactly, so a token's offset is the sum of the lengths before it.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import threading
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config" / "jieba"
#: Organisation types, fundraising terms, common scheme and spam words kept whole.
USERDICT = CONFIG_DIR / "userdict.txt"
#: Function words the model's word features leave out.
STOPWORDS = CONFIG_DIR / "stopwords.txt"

_lock = threading.Lock()
_tokenizer = None


def _load():
    """Build the process's jieba tokenizer once: main dictionary plus ``USERDICT``."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()  # our own instance: the global jieba.dt stays untouched
            tk.initialize()
            tk.load_userdict(str(USERDICT))
            _tokenizer = tk
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """jieba's precise-mode words of ``text`` (with HMM for unknown words), whitespace included."""
    return (_tokenizer or _load()).lcut(text)


@functools.cache
def stopwords() -> frozenset[str]:
    """The stop words in ``STOPWORDS``."""
    lines = STOPWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def dictionary_fingerprint() -> dict[str, str]:
    """SHA-256 of the domain dictionary and stop words: a model is tied to the tokens it saw."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in (USERDICT, STOPWORDS)
    }
