/* sandbox.c - placeholder */
typedef int sbx__unused;
