#ifndef PORTALIS_STORE_H
#define PORTALIS_STORE_H
#endif
