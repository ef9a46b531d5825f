import unicodedata

for ch in ["A", "é", "ß", "1", "½", "€", "中", " "]:
    print(repr(ch), unicodedata.name(ch, "?"), unicodedata.category(ch), unicodedata.numeric(ch, None), unicodedata.bidirectional(ch))
print(unicodedata.lookup("GREEK SMALL LETTER ALPHA"), unicodedata.decimal("7"), unicodedata.digit("9"))
s = "Crème Brûlée"
nfd = unicodedata.normalize("NFD", s)
print(len(s), len(nfd), "".join(c for c in nfd if not unicodedata.combining(c)))
print(unicodedata.normalize("NFC", nfd) == s, unicodedata.normalize("NFKC", "ﬁ①"), unicodedata.east_asian_width("中"))
print(unicodedata.unidata_version, unicodedata.mirrored("("))
