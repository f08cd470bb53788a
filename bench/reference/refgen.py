# SPDX-License-Identifier: GPL-3.0-or-later
"""refgen.py -- shared pieces of the reference scripts in bench/reference/.

SplitMix64 (Steele, Lea & Flood 2014) is the generator both a script and its
C test use to build the same randomized inputs: the script stores only the
case parameters and the expected answers, the test regenerates the inputs.
Every derived value is exact in both languages (integers, and quotients of
integers by IEEE division, which Python floats and C doubles round alike).

The C twin is in tests/refgen.h; keep the two in step.
"""

import textwrap

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, m):
        """An integer in [0, m) (modulo bias is the same on both sides)."""
        return self.next() % m


def c_array(ctype, name, items, width=88):
    lines = textwrap.wrap(", ".join(items), width=width, break_on_hyphens=False)
    body = "\n".join("    " + line for line in lines)
    return f"static const {ctype} {name}[{len(items)}] = {{\n{body}\n}};"


def c_double(value):
    """%.17g text of a double, with C spellings for the non-finite ones."""
    v = float(value)
    if v != v:
        return "NAN"
    if v in (float("inf"), float("-inf")):
        return "INFINITY" if v > 0 else "-INFINITY"
    return f"{v:.17g}"


def update(path, begin, end, block):
    """Replace the text between the marker lines begin and end (inclusive)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.index(begin)
    stop = text.index(end) + len(end) + 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[:start] + block + text[stop:])
