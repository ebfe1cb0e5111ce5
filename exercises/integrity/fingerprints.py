"""Code fingerprints: normalised tokens, k-gram hashes and winnowing (pure Python, no Django).

A submission's source is tokenised with ``tokenize`` and normalised so that the usual disguises
of a copy change nothing: comments, blank lines and layout are dropped, every identifier a
student chose becomes ``V``, every number ``N`` and every string ``S``. Keywords, operators,
builtins (``range``, ``len``) and attribute names (``np.einsum``, ``.shape``) stay as written:
they carry the approach, which a renaming does not change.

Each run of ``K`` consecutive tokens is hashed (a stable 64-bit blake2b, so stored fingerprints
stay comparable across processes), and winnowing (Schleimer, Wilkerson and Aiken, 2003) keeps
the smallest hash of every ``WINDOW`` consecutive ones: any shared run of ``K + WINDOW - 1``
tokens is guaranteed to leave a common fingerprint, and a ~30-line function keeps a few dozen.
Each fingerprint remembers the source lines it came from, for a side-by-side view.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import keyword
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Tokens per hashed k-gram. Shorter runs are noise (``for V in range(`` is in every solution).
K = 8
#: Winnowing window: any shared run of K + WINDOW - 1 = 11 tokens is detected.
WINDOW = 4

_KEEP_NAMES = frozenset(dir(builtins)) | {"np", "numpy"}
_SKIP = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
# f-strings are one STRING token before Python 3.12 and several tokens after: read them as one S.
_FSTRING_START = {
    getattr(tokenize, n) for n in ("FSTRING_START", "TSTRING_START") if hasattr(tokenize, n)
}
_FSTRING_END = {
    getattr(tokenize, n) for n in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, n)
}


@dataclass(frozen=True)
class Token:
    text: str  # the normalised token: a keyword, an operator, V, N, S, or a kept name
    line: int  # 1-based source line


def normalised_tokens(source: str) -> list[Token]:
    """The source's tokens, normalised (see the module docstring). Source that does not
    tokenise to the end (a syntax error) keeps the tokens read before the error."""
    out: list[Token] = []
    previous = ""
    depth = 0  # inside an f-string (3.12+): its pieces are part of one S
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in _SKIP:
                continue
            if tok.type in _FSTRING_START:
                depth += 1
                if depth == 1:
                    out.append(Token("S", tok.start[0]))
                continue
            if tok.type in _FSTRING_END:
                depth -= 1
                continue
            if depth:
                continue
            if tok.type == tokenize.NAME:
                if keyword.iskeyword(tok.string) or previous == "." or tok.string in _KEEP_NAMES:
                    text = tok.string
                else:
                    text = "V"
            elif tok.type == tokenize.NUMBER:
                text = "N"
            elif tok.type == tokenize.STRING:
                text = "S"
            else:
                text = tok.string
            out.append(Token(text, tok.start[0]))
            previous = tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def _hash(texts: Iterable[str]) -> int:
    digest = hashlib.blake2b("\x1f".join(texts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@dataclass(frozen=True)
class Fingerprint:
    """A submission's winnowed k-gram hashes, each with the (first, last) source lines it
    covers. ``hashes`` is what comparisons use; ``spans`` is for showing the shared lines."""

    hashes: frozenset[int]
    spans: dict[int, tuple[int, int]] = field(default_factory=dict, compare=False)

    def lines(self, hashes: Iterable[int]) -> set[int]:
        """Source lines covered by these fingerprints (those of ``hashes`` this one has)."""
        out: set[int] = set()
        for h in hashes:
            if h in self.spans:
                first, last = self.spans[h]
                out.update(range(first, last + 1))
        return out


def fingerprint(source: str, k: int = K, window: int = WINDOW) -> Fingerprint:
    """Winnow the k-gram hashes of ``source``'s normalised tokens."""
    tokens = normalised_tokens(source)
    if len(tokens) < k:
        return Fingerprint(frozenset(), {})
    texts = [t.text for t in tokens]
    grams = [_hash(texts[i : i + k]) for i in range(len(texts) - k + 1)]
    spans: dict[int, tuple[int, int]] = {}
    chosen = -1
    for start in range(max(1, len(grams) - window + 1)):
        stop = min(start + window, len(grams))
        # the rightmost minimum, so that a run of equal hashes yields one fingerprint
        best = min(range(start, stop), key=lambda i: (grams[i], -i))
        if best != chosen:
            chosen = best
            h = grams[best]
            if h not in spans:
                spans[h] = (tokens[best].line, tokens[best + k - 1].line)
    return Fingerprint(frozenset(spans), spans)


def starter_lines(source: str, starter: str) -> set[int]:
    """Lines of ``source`` that share a fingerprint with the starter (dimmed in a view)."""
    if not starter.strip():
        return set()
    mine = fingerprint(source)
    return mine.lines(mine.hashes & fingerprint(starter).hashes)
