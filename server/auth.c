/* auth.c - in progress */
typedef int auth__unused;
