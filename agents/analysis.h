/* analysis.h - placeholder */
#ifndef PORTALIS_ANALYSIS_H
#define PORTALIS_ANALYSIS_H
#endif
