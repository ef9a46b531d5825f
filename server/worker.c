/* worker.c - in progress */
typedef int worker__unused;
