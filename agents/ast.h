/* ast.h - placeholder */
#ifndef PORTALIS_AST_H
#define PORTALIS_AST_H
#endif
