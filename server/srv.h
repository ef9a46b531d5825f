#ifndef PORTALIS_SRV_H
#define PORTALIS_SRV_H
#endif
