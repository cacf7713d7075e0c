"""The model's two feature counters: jieba words and character 1-3-grams, both pickleable.

Each takes a sequence of items; an item is a ``str`` (one passage, tokenised when words are
needed) or a :class:`TextBatch` (a whole page with its tokens and passage spans), which gives
one row per span. A page is thus tokenised once (``Document.tokens``) and its passages'
features are slices of page-level numpy arrays: jieba never runs again for the word features.

Both counters hash their features into ``2**hash_bits`` buckets (as scikit-learn's
HashingVectorizer does): a word's key is a 64-bit polynomial hash of its normalised
characters, an n-gram's key its code points packed 21 bits apart. A bucket seen in at least
``min_df`` training passages is a feature, so looking a page up is one array index.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from classifier.tokenize import stopwords, tokenize


@dataclass(frozen=True, eq=False)
class TextBatch:
    """A text, its tokens (``None``: tokenise on demand) and the spans to score, one row each."""

    text: str
    tokens: Sequence[str] | None
    spans: Sequence[tuple[int, int]]
    cache: dict = field(default_factory=dict, repr=False)  # arrays shared by the counters


def as_batches(X) -> list[TextBatch]:
    """``X`` as batches: a ``str`` is one passage spanning the whole string."""
    if isinstance(X, TextBatch):
        return [X]
    if isinstance(X, str):
        raise TypeError("expected a sequence of texts, got a single str")
    out = []
    for item in X:
        if isinstance(item, TextBatch):
            out.append(item)
        elif isinstance(item, str):
            out.append(TextBatch(item, None, ((0, len(item)),)))
        else:
            raise TypeError(f"expected str or TextBatch, got {type(item).__name__}")
    return out


# --- normalised code points -----------------------------------------------------------------


def _normalisation_table() -> np.ndarray:
    """Code point to code point for the Basic Multilingual Plane: full-width ASCII to ASCII,
    upper to lower case, every space to " ", invisible characters (zero-width, soft hyphen,
    direction marks) to 0. One to one, so offsets survive."""
    table = np.arange(0x10000, dtype=np.uint32)
    table[0xFF01:0xFF5F] = np.arange(0x21, 0x7F, dtype=np.uint32)
    table[ord("A"):ord("Z") + 1] += 32
    table[0xFF21:0xFF3B] = np.arange(ord("a"), ord("z") + 1, dtype=np.uint32)
    for ch in ("\t\n\r\f\v\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
               "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"):
        table[ord(ch)] = 32
    for ch in ("\xad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
               "\u2060\u2061\u2062\u2063\u2064\ufeff"):
        table[ord(ch)] = 0
    return table


_TABLE = _normalisation_table()


def normalised_codes(batch: TextBatch) -> np.ndarray:
    """The batch text's code points, normalised, one per character (invisible ones are 0)."""
    codes = batch.cache.get("codes")
    if codes is None:
        raw = np.frombuffer(batch.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        codes = np.where(raw < 0x10000, _TABLE[raw & 0xFFFF], raw).astype(np.uint64)
        batch.cache["codes"] = codes
    return codes


def _bounds(spans: Sequence[tuple[int, int]]) -> np.ndarray:
    return np.asarray(spans, dtype=np.int64).reshape(-1, 2)


def _gather(values: np.ndarray, lo: np.ndarray, hi: np.ndarray,
            row_of: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows and values of ``values[lo[i]:hi[i]]`` for each range i, in one pass; a range's
    row is ``row_of[i]`` (default ``i``). Negative values (unknown features) are left out."""
    known = np.flatnonzero(values >= 0)
    lo, hi = np.searchsorted(known, lo), np.searchsorted(known, np.maximum(hi, lo))
    counts = hi - lo
    rows = np.repeat(np.arange(len(lo)) if row_of is None else row_of, counts)
    idx = np.arange(int(counts.sum())) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return rows, values[known[idx]]


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier


class _HashedCounts(TransformerMixin, BaseEstimator):
    """Counts per span of hashed features; subclasses say what the features of a batch are."""

    def __init__(self, min_df: int = 2, hash_bits: int = 20):
        self.min_df = min_df
        self.hash_bits = hash_bits

    # subclasses: every feature's key, and for each range i its [lo, hi) and row
    def _keys(self, batch: TextBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _excluded(self, batch: TextBatch, key: np.ndarray) -> np.ndarray:
        """Keys that must never become features (stop words)."""
        return np.zeros(0, np.uint64)

    def _name(self, batch: TextBatch, key: np.ndarray, index: int) -> str:
        raise NotImplementedError

    def _bucket(self, key: np.ndarray) -> np.ndarray:
        return ((key * _GOLDEN) >> np.uint64(64 - self.hash_bits)).astype(np.int64)

    def fit(self, X, y=None):
        shift = 1 << self.hash_bits
        per_row, excluded, names = [], [], {}
        for batch in as_batches(X):
            key, lo, hi, row_of = self._keys(batch)
            bucket = self._bucket(key)
            rows, idx = _gather(np.arange(len(key)), lo, hi, row_of)
            per_row.append(np.unique(rows * shift + bucket[idx]) % shift)
            excluded.append(self._bucket(self._excluded(batch, key)))
            new, first = np.unique(bucket[idx], return_index=True)
            for b, i in zip(new.tolist(), idx[first].tolist()):
                if b not in names:  # a feature is named after the first item seen in its bucket
                    names[b] = self._name(batch, key, i)
        empty = np.zeros(0, np.int64)
        uniq, df = np.unique(np.concatenate(per_row) if per_row else empty, return_counts=True)
        kept = uniq[df >= self.min_df]
        self.buckets_ = np.setdiff1d(kept, np.concatenate(excluded) if excluded else empty)
        self.names_ = [names[int(b)] for b in self.buckets_]
        return self

    def _table(self) -> np.ndarray:
        table = self.__dict__.get("_table_cache")
        if table is None:
            table = np.full(1 << self.hash_bits, -1, dtype=np.int32)
            table[self.buckets_] = np.arange(len(self.buckets_), dtype=np.int32)
            self.__dict__["_table_cache"] = table
        return table

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_table_cache", None)  # rebuilt on first use
        return state

    def occurrences(self, batch: TextBatch) -> tuple[np.ndarray, np.ndarray]:
        """(row, feature) of every known feature of every span of ``batch``."""
        key, lo, hi, row_of = self._keys(batch)
        return _gather(np.take(self._table(), self._bucket(key)), lo, hi, row_of)

    def transform(self, X):
        batches = as_batches(X)
        sizes = [len(b.spans) for b in batches]
        parts = [self.occurrences(b) for b in batches]
        offsets = np.cumsum([0] + sizes[:-1])
        rows = np.concatenate([r + off for (r, _), off in zip(parts, offsets)] or [np.zeros(0, np.int64)])
        cols = np.concatenate([c for _, c in parts] or [np.zeros(0, np.int64)])
        m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(sum(sizes), len(self.buckets_)))
        m.sum_duplicates()
        return m

    def get_feature_names_out(self, input_features=None):
        return np.array(self.names_, dtype=object)


# --- words --------------------------------------------------------------------------------

_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_powers_lock = threading.Lock()
_powers: tuple[np.ndarray, np.ndarray] = (np.ones(1, np.uint64), np.ones(1, np.uint64))


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2**64 for i < n (grown on demand, shared)."""
    global _powers
    pw, inv = _powers
    if len(pw) < n:
        with _powers_lock:
            size = max(n, 2 * len(_powers[0]), 4096)
            pw = np.empty(size, np.uint64)
            inv = np.empty(size, np.uint64)
            pw[0] = inv[0] = 1
            pw[1:] = _BASE
            inv[1:] = pow(_BASE, -1, 1 << 64)
            np.cumprod(pw, out=pw)
            np.cumprod(inv, out=inv)
            _powers = (pw, inv)
    return pw, inv


def token_offsets(batch: TextBatch) -> tuple[Sequence[str], np.ndarray]:
    """The batch's tokens and their offsets (n + 1 of them), tokenising when there are none or
    when they are not the tokens of this text."""
    cached = batch.cache.get("tokens")
    if cached is not None:
        return cached
    tokens = batch.tokens
    ends = None
    if tokens is not None:
        ends = np.cumsum(np.fromiter(map(len, tokens), np.int64, len(tokens)))
    if tokens is None or (ends[-1] if len(ends) else 0) != len(batch.text):
        tokens = tokenize(batch.text)
        ends = np.cumsum(np.fromiter(map(len, tokens), np.int64, len(tokens)))
    offsets = np.concatenate(([0], ends))
    batch.cache["tokens"] = (tokens, offsets)
    return tokens, offsets


def _keep_word(token: str) -> bool:
    return token not in stopwords() and any(ch.isalnum() for ch in token)


class WordCounts(_HashedCounts):
    """Counts of jieba words per passage (letters lower-cased, full-width folded); stop words
    and punctuation are never features."""

    def _keys(self, batch):
        tokens, offsets = token_offsets(batch)
        codes = normalised_codes(batch)
        pw, inv = _power_tables(len(codes) + 1)
        prefix = np.zeros(len(codes) + 1, np.uint64)
        np.cumsum(codes * pw[: len(codes)], out=prefix[1:])
        starts = offsets[:-1]
        key = (prefix[offsets[1:]] - prefix[starts]) * inv[starts]
        bounds = _bounds(batch.spans)
        lo, hi = np.searchsorted(starts, bounds[:, 0]), np.searchsorted(starts, bounds[:, 1])
        return key, lo, hi, np.arange(len(lo))

    def _excluded(self, batch, key):
        tokens, _ = token_offsets(batch)
        return key[[i for i, t in enumerate(tokens) if not _keep_word(t)]]

    def _name(self, batch, key, index):
        return token_offsets(batch)[0][index]


# --- characters ---------------------------------------------------------------------------

_BITS = 21  # every code point fits in 21 bits: up to three characters make one uint64 key
_MASK = (1 << _BITS) - 1


def ngram_keys(codes: np.ndarray, n: int) -> np.ndarray:
    """One uint64 per n-gram (n <= 3) of ``codes``: the code points packed 21 bits apart."""
    if len(codes) < n:
        return np.zeros(0, dtype=np.uint64)
    key = codes[: len(codes) - n + 1].copy()
    for k in range(1, n):
        key <<= np.uint64(_BITS)
        key |= codes[k: len(codes) - n + 1 + k]
    return key


def key_text(key: int) -> str:
    """The characters of an n-gram key (for reading features)."""
    chars = []
    while key:
        chars.append(chr(key & _MASK))
        key >>= _BITS
    return "".join(reversed(chars))


class CharNgramCounts(_HashedCounts):
    """Counts of character n-grams (1-3 by default) per passage, after normalisation: invisible
    characters dropped, runs of spaces folded to one; robust to words split by spaces or
    symbols, full-width letters and zero-width characters."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), min_df: int = 2, hash_bits: int = 20):
        super().__init__(min_df=min_df, hash_bits=hash_bits)
        self.ngram_range = ngram_range

    def _keys(self, batch):
        lo_n, hi_n = self.ngram_range
        if not 1 <= lo_n <= hi_n <= 3:
            raise ValueError("ngram_range must lie within (1, 3)")
        orders = np.arange(lo_n, hi_n + 1)
        codes = normalised_codes(batch)
        keep = codes != 0
        keep[1:] &= ~((codes[1:] == 32) & (codes[:-1] == 32))
        pos = np.flatnonzero(keep)
        kept = codes[pos]
        keys = [ngram_keys(kept, int(n)) for n in orders]
        bounds = _bounds(batch.spans)
        a, b = np.searchsorted(pos, bounds[:, 0]), np.searchsorted(pos, bounds[:, 1])
        starts = np.cumsum([0] + [len(k) for k in keys[:-1]])
        lo = (a[:, None] + starts).ravel()
        hi = (b[:, None] + (starts - orders + 1)).ravel()
        return np.concatenate(keys), lo, hi, np.repeat(np.arange(len(a)), len(orders))

    def _name(self, batch, key, index):
        return key_text(int(key[index]))
