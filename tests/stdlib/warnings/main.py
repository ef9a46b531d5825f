import warnings


def old():
    warnings.warn("old() is deprecated", DeprecationWarning, stacklevel=2)
    return 1


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old()
    warnings.warn("plain warning")
print([(w.category.__name__, str(w.message)) for w in caught])
warnings.filterwarnings("error", category=UserWarning)
try:
    warnings.warn("now an error")
except UserWarning as e:
    print("raised:", e)
warnings.resetwarnings()
warnings.simplefilter("ignore")
warnings.warn("ignored")
print("done")
