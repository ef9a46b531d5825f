import csv
import io

src = 'name,age,city\nAlice,30,"New York, NY"\nBob,25,"He said ""hi"""\n'
rows = list(csv.reader(io.StringIO(src)))
print(rows)
for d in csv.DictReader(io.StringIO(src)):
    print(d["name"], int(d["age"]) + 1, d["city"])
out = io.StringIO()
w = csv.writer(out)
w.writerow(["a", "b,c", 'q"q', 3, None, 1.5])
w.writerows([[1, 2], ["x y", ""]])
print(repr(out.getvalue()))
out2 = io.StringIO()
dw = csv.DictWriter(out2, fieldnames=["id", "v"], lineterminator="\n")
dw.writeheader()
dw.writerow({"id": 1, "v": "one"})
print(out2.getvalue(), end="")
print(list(csv.reader(["a;b;'c;d'"], delimiter=";", quotechar="'")))
tsv = io.StringIO()
csv.writer(tsv, delimiter="\t", quoting=csv.QUOTE_ALL).writerow(["x", 2])
print(repr(tsv.getvalue()))
