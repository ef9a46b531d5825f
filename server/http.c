/* http.c - in progress */
typedef int http__unused;
