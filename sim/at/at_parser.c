/* at_parser: splits a command line body into V.250 commands (basic, S-register, extended) and
 * their parameters. It knows the syntax only, never a command's meaning. */
#include "at_parser.h"

#include <ctype.h>
#include <string.h>

struct cursor {
  const char *s;
  size_t len;
  size_t pos;
};

static void skip_spaces(struct cursor *c)
{
  while (c->pos < c->len && c->s[c->pos] == ' ')
    c->pos++;
}

static int peek(struct cursor *c)
{
  skip_spaces(c);
  return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static int is_ext_name_char(int ch)
{
  return isalnum(ch) || ch == '!' || ch == '%' || ch == '-' || ch == '.' || ch == '/' ||
         ch == ':' || ch == '_';
}

static size_t store_param(struct at_cmd *cmd, size_t used, const char *s, size_t n, int quoted)
{
  struct at_param *p = &cmd->params[cmd->nparams++];
  memcpy(cmd->store + used, s, n);
  cmd->store[used + n] = '\0';
  p->s = cmd->store + used;
  p->len = n;
  p->quoted = quoted;
  p->present = quoted || n > 0;
  return used + n + 1;
}

/* Reads the parameter list of a write command up to ';' or the end of the body. */
static enum at_parse_status parse_params(struct cursor *c, struct at_cmd *cmd)
{
  size_t used = 0;
  char tok[AT_BODY_MAX + 1];

  for (;;) {
    size_t n = 0;
    int quoted = 0;
    if (cmd->nparams == AT_MAX_PARAMS)
      return AT_PARSE_SYNTAX;
    skip_spaces(c);
    if (c->pos < c->len && c->s[c->pos] == '"') {
      quoted = 1;
      c->pos++;
      while (c->pos < c->len && c->s[c->pos] != '"') {
        if (c->s[c->pos] == '\0') /* a value with a NUL in it would be read cut short */
          return AT_PARSE_SYNTAX;
        tok[n++] = c->s[c->pos++];
      }
      if (c->pos == c->len)
        return AT_PARSE_SYNTAX; /* unterminated string */
      c->pos++;
      skip_spaces(c);
    } else {
      while (c->pos < c->len && c->s[c->pos] != ',' && c->s[c->pos] != ';') {
        char ch = c->s[c->pos++];
        if (ch == '"' || ch == '\0')
          return AT_PARSE_SYNTAX;
        if (ch != ' ')
          tok[n++] = ch;
      }
    }
    used = store_param(cmd, used, tok, n, quoted);
    if (c->pos == c->len)
      return AT_PARSE_OK;
    if (c->s[c->pos] == ';') {
      c->pos++;
      return AT_PARSE_OK;
    }
    if (c->s[c->pos] != ',')
      return AT_PARSE_SYNTAX; /* text after a closing quote */
    c->pos++;
  }
}

/* After a command: the end of the body, a ';' (consumed), or (for basic commands) the next one. */
static enum at_parse_status finish(struct cursor *c, int basic)
{
  int ch = peek(c);
  if (ch == -1)
    return AT_PARSE_OK;
  if (ch == ';') {
    c->pos++;
    return AT_PARSE_OK;
  }
  return basic ? AT_PARSE_OK : AT_PARSE_SYNTAX;
}

static void read_number(struct cursor *c, struct at_cmd *cmd)
{
  size_t start;
  skip_spaces(c);
  start = c->pos;
  while (c->pos < c->len && isdigit((unsigned char)c->s[c->pos]))
    c->pos++;
  if (c->pos > start)
    store_param(cmd, 0, c->s + start, c->pos - start, 0);
}

static enum at_parse_status parse_extended(struct cursor *c, struct at_cmd *cmd)
{
  size_t n = 0;
  cmd->name[n++] = c->s[c->pos++];
  while (c->pos < c->len && is_ext_name_char((unsigned char)c->s[c->pos])) {
    if (n == AT_NAME_MAX - 1)
      return AT_PARSE_SYNTAX;
    cmd->name[n++] = (char)toupper((unsigned char)c->s[c->pos++]);
  }
  cmd->name[n] = '\0';
  if (n == 1)
    return AT_PARSE_SYNTAX;
  switch (peek(c)) {
  case '?':
    c->pos++;
    cmd->form = AT_FORM_READ;
    return finish(c, 0);
  case '=':
    c->pos++;
    if (peek(c) == '?') {
      c->pos++;
      cmd->form = AT_FORM_TEST;
      return finish(c, 0);
    }
    cmd->form = AT_FORM_WRITE;
    return parse_params(c, cmd);
  default:
    cmd->form = AT_FORM_EXEC;
    return finish(c, 0);
  }
}

static enum at_parse_status parse_sreg(struct cursor *c, struct at_cmd *cmd)
{
  size_t used;
  c->pos++;
  strcpy(cmd->name, "S");
  skip_spaces(c);
  if (c->pos == c->len || !isdigit((unsigned char)c->s[c->pos]))
    return AT_PARSE_SYNTAX;
  read_number(c, cmd);
  used = cmd->params[0].len + 1;
  switch (peek(c)) {
  case '?':
    c->pos++;
    cmd->form = AT_FORM_READ;
    return finish(c, 1);
  case '=': {
    size_t start;
    c->pos++;
    if (peek(c) == '?') {
      c->pos++;
      cmd->form = AT_FORM_TEST;
      return finish(c, 1);
    }
    cmd->form = AT_FORM_WRITE;
    skip_spaces(c);
    start = c->pos;
    while (c->pos < c->len && isdigit((unsigned char)c->s[c->pos]))
      c->pos++;
    store_param(cmd, used, c->s + start, c->pos - start, 0);
    return finish(c, 1);
  }
  default:
    return AT_PARSE_SYNTAX;
  }
}

/* "D" takes the rest of the command (a dial string) up to ';'. */
static enum at_parse_status parse_dial(struct cursor *c, struct at_cmd *cmd)
{
  size_t start;
  c->pos++;
  strcpy(cmd->name, "D");
  start = c->pos;
  while (c->pos < c->len && c->s[c->pos] != ';')
    c->pos++;
  store_param(cmd, 0, c->s + start, c->pos - start, 0);
  cmd->form = AT_FORM_EXEC;
  return finish(c, 1);
}

static enum at_parse_status parse_basic(struct cursor *c, struct at_cmd *cmd)
{
  size_t n = 0;
  if (c->s[c->pos] == '&') {
    cmd->name[n++] = '&';
    c->pos++;
    skip_spaces(c);
    if (c->pos == c->len || !isalpha((unsigned char)c->s[c->pos]))
      return AT_PARSE_SYNTAX;
  }
  cmd->name[n++] = (char)toupper((unsigned char)c->s[c->pos++]);
  cmd->name[n] = '\0';
  cmd->form = AT_FORM_EXEC;
  if (peek(c) == '?') {
    c->pos++;
    cmd->form = AT_FORM_READ;
    return finish(c, 1);
  }
  read_number(c, cmd);
  return finish(c, 1);
}

enum at_parse_status at_parse_next(const char *body, size_t len, size_t *pos, struct at_cmd *cmd)
{
  struct cursor c = { body, len, *pos };
  enum at_parse_status st;
  size_t start;
  int ch;

  cmd->name[0] = '\0';
  cmd->nparams = 0;
  cmd->form = AT_FORM_EXEC;
  while ((ch = peek(&c)) == ';')
    c.pos++;
  if (ch == -1) {
    *pos = c.pos;
    return AT_PARSE_END;
  }
  start = c.pos;
  if (ch == '+' || ch == '$' || ch == '%')
    st = parse_extended(&c, cmd);
  else if (ch == 'S' || ch == 's')
    st = parse_sreg(&c, cmd);
  else if (ch == 'D' || ch == 'd')
    st = parse_dial(&c, cmd);
  else if (isalpha(ch) || ch == '&')
    st = parse_basic(&c, cmd);
  else
    st = AT_PARSE_SYNTAX;

  {
    size_t end = c.pos, n;
    while (end > start && (body[end - 1] == ';' || body[end - 1] == ' '))
      end--;
    n = end - start;
    memcpy(cmd->text, body + start, n);
    cmd->text[n] = '\0';
  }
  *pos = c.pos;
  return st;
}
