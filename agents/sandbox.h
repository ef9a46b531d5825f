/* sandbox.h - placeholder */
#ifndef PORTALIS_SANDBOX_H
#define PORTALIS_SANDBOX_H
#endif
