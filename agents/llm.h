/* llm.h - placeholder */
#ifndef PORTALIS_LLM_H
#define PORTALIS_LLM_H
#endif
