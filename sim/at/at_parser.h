/* at_parser: splits a command line body into V.250 commands (basic, S-register, extended) and
 * their parameters. It knows the syntax only, never a command's meaning. */
#ifndef FOTASIM_AT_PARSER_H
#define FOTASIM_AT_PARSER_H

#include <stddef.h>

#include "at_line.h"

#define AT_MAX_PARAMS 16
#define AT_NAME_MAX 24

enum at_form {
  AT_FORM_EXEC,  /* AT+X, ATE1 (a basic command's number is params[0]) */
  AT_FORM_READ,  /* AT+X? */
  AT_FORM_TEST,  /* AT+X=? */
  AT_FORM_WRITE  /* AT+X=<p1>,<p2>... ; ATS3=13 is "S" with params [3, 13] */
};

struct at_param {
  const char *s;  /* NUL-terminated, quotes removed */
  size_t len;
  int quoted;
  int present;    /* 0 for an omitted parameter ("a,,b") */
};

struct at_cmd {
  char name[AT_NAME_MAX]; /* upper case: "+CSQ", "E", "&W", "S", "D" */
  enum at_form form;
  int nparams;
  struct at_param params[AT_MAX_PARAMS];
  char text[AT_BODY_MAX + 1]; /* the command as written, for logs */
  char store[AT_BODY_MAX + AT_MAX_PARAMS + 1];
};

enum at_parse_status { AT_PARSE_END = 0, AT_PARSE_OK = 1, AT_PARSE_SYNTAX = -1 };

/* Parses the command starting at body[*pos] into *cmd and advances *pos past it (and past a
 * following ';'). Spaces outside quotes are ignored, as V.250 says. */
enum at_parse_status at_parse_next(const char *body, size_t len, size_t *pos, struct at_cmd *cmd);

#endif
