/* store.c - in progress */
typedef int store__unused;
