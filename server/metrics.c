/* metrics.c - in progress */
typedef int metrics__unused;
