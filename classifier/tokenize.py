"""The one tokenizer: jieba's segmentation with orgwatch's domain dictionary, loaded once per process.

It runs on ``rjieba`` (jieba-rs: jieba's dictionary and algorithm in Rust), which gives the
same words as ``jieba.lcut`` about 20 times faster. :func:`tokenize` is a module-level
function, so fitted pipelines that call it pickle (a bound method or a lambda does not). Its
tokens concatenate back to the input text exactly, so a token's offset is the sum of the
lengths before it.
"""
from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config" / "jieba"
#: Organisation types, fundraising terms, common scheme and spam words kept whole.
USERDICT = CONFIG_DIR / "userdict.txt"
#: Function words the model's word features leave out.
STOPWORDS = CONFIG_DIR / "stopwords.txt"

#: jieba's HMM guesses words missing from its dictionary; the model does as well without it
#: (docs/model-card.md). A model records this setting and refuses to load under another.
HMM = False

_lock = threading.Lock()
_tokenizer = None


def _load():
    """Build the process's tokenizer once: jieba's main dictionary plus ``USERDICT``
    (lines ``word [frequency] [tag]``, as jieba's ``load_userdict`` reads them)."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import rjieba

            tk = rjieba.Jieba()  # our own instance: the module's default one stays untouched
            for line in USERDICT.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if not parts or parts[0].startswith("#"):
                    continue
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
                tk.add_word(parts[0], freq, tag)
            _tokenizer = tk
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """jieba's precise-mode words of ``text`` (HMM as :data:`HMM` says), whitespace included."""
    return (_tokenizer or _load()).cut(text, hmm=HMM)


@functools.cache
def stopwords() -> frozenset[str]:
    """The stop words in ``STOPWORDS``."""
    lines = STOPWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def dictionary_fingerprint() -> dict[str, str]:
    """SHA-256 of the domain dictionary and stop words, and the HMM setting: a model is tied
    to the tokens it saw."""
    out = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in (USERDICT, STOPWORDS)}
    out["hmm"] = "on" if HMM else "off"
    return out
