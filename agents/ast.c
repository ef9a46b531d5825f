/* ast.c - placeholder */
typedef int ast__unused;
