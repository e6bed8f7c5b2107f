"""Peer of bench/text_bench.ts: butter-fingers typos (prob 0.05, QWERTY neighbours) on the same
3,000 review sentences (node_modules/sentiment/test/fixtures/{amazon,imdb,yelp}.json).

Two implementations, timed like the gpusci bench (repeated passes until --seconds, default 0.5):
- `python_text_butter_fingers_sentences_per_s`: a per-character pure-Python loop with `random`,
  the style of NL-Augmenter's butter_fingers_perturbation;
- `numpy_text_butter_fingers_sentences_per_s`: vectorized numpy per sentence (uniform draws for
  all characters, neighbour lookup through a padded table).
The neighbour sets are computed from key geometry exactly as src/text/lexicons/keyboard_layouts.ts
does. Outputs differ from gpusci's (different random generators); the work is the same.
Usage: python3 bench/peers/text_peer.py [--seconds S]
"""
import json
import os
import random
import time

from _peer import emit, seconds_arg

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
OFFSET = [0.0, 0.25, 0.75]
PROB = 0.05


def neighbours():
    keys = [(ch, c + OFFSET[y], y) for y, row in enumerate(ROWS) for c, ch in enumerate(row)]
    near = {}
    for ch, x, y in keys:
        near[ch] = "".join(o for o, ox, oy in keys if o != ch and abs(oy - y) <= 1 and abs(ox - x) <= 1)
    return near


def load():
    out = []
    for name in ("amazon", "imdb", "yelp"):
        path = os.path.join(ROOT, "node_modules", "sentiment", "test", "fixtures", name + ".json")
        with open(path, encoding="utf-8") as f:
            out += [r["text"].strip() for r in json.load(f) if r["text"].strip()]
    return out


def timed(fn, sentences, min_seconds):
    fn(sentences[:50])
    passes, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds:
        fn(sentences)
        passes += 1
    return passes * len(sentences) / (time.perf_counter() - t0)


def main():
    min_seconds = seconds_arg(0.5)
    try:
        sentences = load()
    except OSError as e:
        print(f"# cannot read the sentence fixtures ({e}); run `deno install` first")
        return
    near = neighbours()
    rng = random.Random(0)

    def python_pass(batch):
        out = []
        for s in batch:
            chars = []
            for ch in s:
                lo = ch.lower()
                n = near.get(lo)
                if n and rng.random() < PROB:
                    t = rng.choice(n)
                    chars.append(t if ch == lo else t.upper())
                else:
                    chars.append(ch)
            out.append("".join(chars))
        return out

    emit("python_text_butter_fingers_sentences_per_s", timed(python_pass, sentences, min_seconds), "sentences/s")
    try:
        import numpy as np
    except ImportError:
        print("# numpy not importable; skipping the numpy peer")
        return
    gen = np.random.default_rng(0)
    table = np.zeros((128, 8), dtype=np.uint32)
    count = np.zeros(128, dtype=np.int64)
    for ch, n in near.items():
        for case in (ch, ch.upper()):
            row = [ord(t if case == ch else t.upper()) for t in n]
            table[ord(case), : len(row)] = row
            count[ord(case)] = len(row)

    def numpy_pass(batch):
        out = []
        for s in batch:
            codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).copy()
            ascii_ = codes < 128
            idx = np.where(ascii_, codes, 0)
            cnt = count[idx] * ascii_
            hit = (gen.random(codes.size) < PROB) & (cnt > 0)
            if hit.any():
                pick = (gen.random(codes.size) * np.maximum(cnt, 1)).astype(np.int64)
                codes[hit] = table[idx[hit], pick[hit]]
            out.append(codes.tobytes().decode("utf-32-le"))
        return out

    emit("numpy_text_butter_fingers_sentences_per_s", timed(numpy_pass, sentences, min_seconds), "sentences/s")


if __name__ == "__main__":
    main()
