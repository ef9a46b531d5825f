# bench: object
# A text pipeline over generated prose: build words from syllables with a
# seeded generator, wrap them into sentences and lines, then tokenize with str
# methods (lower, strip, split, replace, isalpha), count words and bigrams in
# dicts, sort by frequency, and report line statistics and a title-cased
# summary.

SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sha", "vel", "dor", "in", "pa",
             "que", "st", "ar", "ul", "be", "no", "xi", "fa", "gre", "om"]
PUNCT = [",", ";", ":", ".", "!", "?"]


class Rng:
    def __init__(self, seed):
        self.s = seed

    def below(self, n):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % 18446744073709551616
        return (self.s >> 33) % n


def make_vocabulary(rng, size):
    words = []
    seen = set()
    while len(words) < size:
        w = "".join(SYLLABLES[rng.below(len(SYLLABLES))] for _ in range(1 + rng.below(3)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def make_text(rng, vocab, sentences):
    lines = []
    line = []
    width = 0
    for _ in range(sentences):
        n = 4 + rng.below(12)
        words = []
        for i in range(n):
            # a Zipf-like pick: low indices are much more frequent
            k = rng.below(len(vocab))
            k = k * rng.below(len(vocab)) // len(vocab)
            w = vocab[k]
            if i == 0:
                w = w.capitalize()
            elif rng.below(9) == 0:
                w = w + PUNCT[rng.below(3)]
            words.append(w)
        words[-1] += PUNCT[3 + rng.below(3)]
        for w in words:
            if width + len(w) + 1 > 72:
                lines.append(" ".join(line))
                line = []
                width = 0
            line.append(w)
            width += len(w) + 1
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines)


def tokenize(text):
    for line in text.split("\n"):
        for raw in line.split():
            w = raw.strip(",;:.!?").lower()
            if w and w.isalpha():
                yield w


def count_words(tokens):
    counts = {}
    bigrams = {}
    prev = None
    for w in tokens:
        counts[w] = counts.get(w, 0) + 1
        if prev is not None:
            key = prev + " " + w
            bigrams[key] = bigrams.get(key, 0) + 1
        prev = w
    return counts, bigrams


def top(counts, n):
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def line_stats(text):
    lines = text.splitlines()
    longest = max(lines, key=len)
    sentences = text.count(".") + text.count("!") + text.count("?")
    upper = sum(1 for line in lines if line[:1].isupper())
    return len(lines), len(longest), sentences, upper


def summary(pairs):
    parts = []
    for word, n in pairs:
        parts.append("%s (%d)" % (word.title(), n))
    return ", ".join(parts)


rng = Rng(2024)
vocab = make_vocabulary(rng, 1500)
text = make_text(rng, vocab, 22000)
counts, bigrams = count_words(tokenize(text))
nlines, longest, sentences, upper = line_stats(text)
print("chars", len(text), "lines", nlines, "longest", longest, "sentences", sentences, "capitalized lines", upper)
print("distinct words", len(counts), "distinct bigrams", len(bigrams), "tokens", sum(counts.values()))
print("top words:", summary(top(counts, 12)))
for pair, n in top(bigrams, 8):
    print("  %-24s %d" % (pair, n))
by_length = {}
for w in counts:
    by_length.setdefault(len(w), []).append(w)
for length in sorted(by_length):
    group = sorted(by_length[length])
    print("len %2d: %4d words, first %s, last %s" % (length, len(group), group[0], group[-1]))
rare = [w for w, n in counts.items() if n == 1]
print("hapax", len(rare), "sample", " ".join(sorted(rare)[:6]))
vowels = sum(text.count(v) for v in "aeiou")
print("vowel share %.4f" % (vowels / len(text)))
print(text[:300].replace("\n", " / "))
