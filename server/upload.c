/* upload.c - in progress */
typedef int upload__unused;
