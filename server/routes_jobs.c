/* routes_jobs.c - in progress */
typedef int routes_jobs__unused;
