/* transpile.h - placeholder */
#ifndef PORTALIS_TRANSPILE_H
#define PORTALIS_TRANSPILE_H
#endif
