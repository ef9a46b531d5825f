/* gpu.h - placeholder */
#ifndef PORTALIS_GPU_H
#define PORTALIS_GPU_H
#endif
