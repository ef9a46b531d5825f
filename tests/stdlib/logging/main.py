import logging
import sys

logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s:%(message)s", stream=sys.stderr)
log = logging.getLogger("app")
log.debug("hidden")
log.info("starting %s", "up")
log.warning("disk at %d%%", 91)
logging.error("root error")
child = logging.getLogger("app.db")
child.setLevel(logging.DEBUG)
child.debug("query %r", "SELECT 1")
try:
    1 / 0
except ZeroDivisionError as e:
    log.error("failed: %s", e)
h = logging.StreamHandler(sys.stdout)
h.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
out = logging.getLogger("out")
out.addHandler(h)
out.propagate = False
out.warning("to stdout")
print(logging.getLevelName(logging.WARNING), log.isEnabledFor(logging.DEBUG), log.getEffectiveLevel())
