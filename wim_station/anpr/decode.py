"""CTC decoding constrained to the plate grammar.

Greedy decoding may drop a faint character (often the province) or split one; plates have a
fixed layout, so we search the best CTC path through a template instead: one character class
per position (province, letter, letter-or-digit ...). Viterbi over the usual CTC topology
(blank, char, blank, char, ..., blank); a character segment takes the label with the highest
summed log-probability over its timesteps, and a segment may not change label midway
(otherwise one segment could swallow two different characters at no cost).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_NEG = -1e18


@dataclass(frozen=True)
class Template:
    """A plate layout: a name and the allowed characters at each position."""

    kind: str
    positions: tuple[str, ...]


@dataclass(frozen=True)
class PathRead:
    """The best path through a template: text, each character's peak probability, score."""

    kind: str
    text: str
    char_probs: tuple[float, ...]
    # each character's share of its position's class (e.g. of all provinces) where it peaks:
    # which character it is, given that the layout says one is there
    char_shares: tuple[float, ...]
    log_score: float


def decode(probs: np.ndarray, alphabet: str, template: Template) -> PathRead | None:
    """Best CTC path of `probs` (T x (1 + len(alphabet)), column 0 blank) through `template`."""
    t_len = probs.shape[0]
    n = len(template.positions)
    if t_len < n:
        return None
    logp = np.log(np.maximum(probs, 1e-12))
    index = {c: i + 1 for i, c in enumerate(alphabet)}
    cols = [np.array([index[c] for c in chars if c in index]) for chars in template.positions]
    # per position: best allowed label and its log-probability at every timestep
    best_lab = np.stack([c[logp[:, c].argmax(axis=1)] for c in cols])  # n x T
    best_lp = np.take_along_axis(logp.T, best_lab, axis=0)  # n x T
    blank = logp[:, 0]
    # states: 2k = blank before char k (2n = final blank), 2k+1 = char k
    s_len = 2 * n + 1
    score = np.full(s_len, _NEG)
    back = np.zeros((t_len, s_len), np.int64)
    score[0] = blank[0]
    score[1] = best_lp[0, 0]
    for t in range(1, t_len):
        new = np.full(s_len, _NEG)
        for s in range(s_len):
            cands = []
            if s % 2 == 0 or best_lab[s // 2, t - 1] == best_lab[s // 2, t]:
                cands.append((score[s], s))  # a segment keeps one label
            if s >= 1:
                cands.append((score[s - 1], s - 1))
            if s % 2 == 1 and s >= 3 and best_lab[(s - 3) // 2, t - 1] != best_lab[s // 2, t]:
                cands.append((score[s - 2], s - 2))  # char to next char, labels differ
            val, arg = max(cands)
            emit = blank[t] if s % 2 == 0 else best_lp[s // 2, t]
            new[s] = val + emit
            back[t, s] = arg
        score = new
    end = 2 * n if score[2 * n] >= score[2 * n - 1] else 2 * n - 1
    if score[end] <= _NEG / 2:
        return None
    path = [end]
    for t in range(t_len - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    path.reverse()
    text, char_probs, char_shares = [], [], []
    for k in range(n):
        ts = [t for t, s in enumerate(path) if s == 2 * k + 1]
        seg = logp[ts][:, cols[k]].sum(axis=0)
        label = int(cols[k][seg.argmax()])
        text.append(alphabet[label - 1])
        peak = ts[int(probs[ts, label].argmax())]
        char_probs.append(float(probs[peak, label]))
        char_shares.append(float(probs[peak, label] / max(probs[peak, cols[k]].sum(), 1e-12)))
    return PathRead(template.kind, "".join(text), tuple(char_probs), tuple(char_shares),
                    float(score[end]))
