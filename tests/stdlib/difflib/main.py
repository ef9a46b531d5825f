import difflib

a = ["one", "two", "three", "four"]
b = ["one", "2", "three", "four", "five"]
print("\n".join(difflib.unified_diff(a, b, "a.txt", "b.txt", lineterm="")))
print("\n".join(difflib.context_diff(a, b, lineterm="")))
print(list(difflib.ndiff(["abc\n"], ["abd\n"])))
sm = difflib.SequenceMatcher(None, "abcd efgh", "abXd efgy")
print(round(sm.ratio(), 6), sm.get_matching_blocks(), sm.get_opcodes())
print(difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"]))
print(difflib.SequenceMatcher(None, [1, 2, 3], [1, 3]).find_longest_match(0, 3, 0, 2))
