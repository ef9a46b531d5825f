/* routes_misc.c - in progress */
typedef int routes_misc__unused;
