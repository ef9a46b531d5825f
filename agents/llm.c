/* llm.c - placeholder */
typedef int llm__unused;
