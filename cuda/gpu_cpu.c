/* gpu_cpu.c - placeholder */
typedef int gpu__unused;
