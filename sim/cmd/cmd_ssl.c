/* cmd_ssl: the SSL note's commands: +QSSLCFG (one row a setting of the six SSL contexts),
 * +QSSLOPEN (its certificate files read from UFS), +QSSLSEND, +QSSLRECV, +QSSLCLOSE,
 * +QSSLSTATE, on the module's stack (sim/net); sending and transparent mode are the sockets'. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "file_util.h"
#include "log.h"

#define CERT_MAX (64 * 1024)   /* the largest certificate or key file AT+QSSLOPEN reads */

static int tcpip_error(int code)
{
  return error_in_list(ERR_TCPIP, code);
}

/* ---- AT+QSSLCFG ---- */

enum ssl_kind { SSL_INT, SSL_HEX, SSL_FILE };

struct sslcfg {
  const char *name;
  enum ssl_kind kind;
  size_t offset;             /* into struct net_ssl */
  long min, max;
  const char *test;
};

#define NS(member) offsetof(struct net_ssl, member)

static const struct sslcfg sslcfgs[] = {
  { "sslversion", SSL_INT, NS(set.version), 0, 4, "(0-4)" },
  { "ciphersuite", SSL_HEX, NS(set.ciphersuite), 0, 0xFFFF,
    "0X0035,0X002F,0X0005,0X0004,0X000A,0X003D,0XC02B,0XC02C,0XC02F,0XC030,0XFFFF" },
  { "seclevel", SSL_INT, NS(set.seclevel), 0, 2, "(0-2)" },
  { "cacert", SSL_FILE, NS(cacert), 0, 0, "<cacertpath>" },
  { "clientcert", SSL_FILE, NS(clientcert), 0, 0, "<client_cert_path>" },
  { "clientkey", SSL_FILE, NS(clientkey), 0, 0, "<client_key_path>" },
  { "ignorelocaltime", SSL_INT, NS(set.ignore_time), 0, 1, "(0,1)" },
  { "negotiatetime", SSL_INT, NS(negotiate_s), 10, 300, "(10-300)" },
  { "sni", SSL_INT, NS(set.sni), 0, 1, "(0,1)" },
};

static void show(struct at_call *c, const struct sslcfg *q, int ctx, const struct net_ssl *ssl)
{
  const char *at = (const char *)ssl + q->offset;
  if (q->kind == SSL_FILE)
    at_info(c, "+QSSLCFG: \"%s\",%d,\"%s\"", q->name, ctx, at);
  else if (q->kind == SSL_HEX)
    at_info(c, "+QSSLCFG: \"%s\",%d,0X%04X", q->name, ctx, *(const unsigned *)at);
  else
    at_info(c, "+QSSLCFG: \"%s\",%d,%d", q->name, ctx, *(const int *)at);
}

/* A cipher suite as the note writes it: 0X0035 (quoted or not). */
static int parse_hex(const char *v, unsigned *out)
{
  char *end;
  unsigned long x;
  if (!v || strncasecmp(v, "0x", 2) != 0 || !v[2])
    return -1;
  x = strtoul(v + 2, &end, 16);
  if (*end || x > 0xFFFF)
    return -1;
  *out = (unsigned)x;
  return 0;
}

/* AT+QSSLCFG="<name>",<sslctxID>[,<value>]: the value, or a new one. */
int cmd_qsslcfg_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  const char *name = at_param_str(c, 0);
  long ctx;
  if (c->cmd->nparams < 2 || c->cmd->nparams > 3 ||
      at_param_int(c, 1, 0, NET_SSL_CTX - 1, &ctx) != 0)
    return CME_INCORRECT_PARAMETERS;
  for (size_t i = 0; name && i < sizeof(sslcfgs) / sizeof(sslcfgs[0]); i++) {
    const struct sslcfg *q = &sslcfgs[i];
    struct net_ssl *ssl = &n->ssl[ctx];
    char *at = (char *)ssl + q->offset;
    const char *v = at_param_str(c, 2);
    long x;
    unsigned hex;
    if (strcasecmp(name, q->name) != 0)
      continue;
    if (c->cmd->nparams == 2) {
      show(c, q, (int)ctx, ssl);
      return AT_OK;
    }
    if (q->kind == SSL_FILE) {
      if (!v || !v[0] || strlen(v) >= NET_FILE_MAX)
        return CME_INCORRECT_PARAMETERS;
      snprintf(at, NET_FILE_MAX, "%s", v);
    } else if (q->kind == SSL_HEX) {
      if (parse_hex(v, &hex) != 0)
        return CME_INCORRECT_PARAMETERS;
      *(unsigned *)at = hex;
    } else {
      if (at_param_int(c, 2, q->min, q->max, &x) != 0)
        return CME_INCORRECT_PARAMETERS;
      *(int *)at = (int)x;
    }
    return AT_OK;
  }
  return CME_INCORRECT_PARAMETERS;
}

int cmd_qsslcfg_test(struct at_call *c)
{
  for (size_t i = 0; i < sizeof(sslcfgs) / sizeof(sslcfgs[0]); i++)
    at_info(c, "+QSSLCFG: \"%s\",(0-%d),%s", sslcfgs[i].name, NET_SSL_CTX - 1, sslcfgs[i].test);
  return AT_OK;
}

/* ---- AT+QSSLOPEN ---- */

/* A file the context names, read from the module's storage; NULL (logged) if it cannot be. */
static unsigned char *load(struct module *m, int ctx, const char *what, const char *name,
                           size_t *len)
{
  char path[1024];
  unsigned char *data;
  *len = 0;
  if (!name[0])
    return NULL;
  if (storage_file(module_storage(m), name, path, sizeof(path)) < 0 ||
      !(data = read_whole_file(path, CERT_MAX, len))) {
    log_info("module %d: ssl context %d: %s \"%s\" cannot be read", module_tcpip(m)->index, ctx, what,
             name);
    return NULL;
  }
  return data;
}

static void unload(unsigned char *data, size_t len)
{
  if (data)
    explicit_bzero(data, len); /* keys stay in the session only */
  free(data);
}

/* AT+QSSLOPEN=<pdpctxID>,<sslctxID>,<clientID>,"<serveraddr>",<server_port>[,<access_mode>]:
 * OK, then +QSSLOPEN: <clientID>,<err> once the handshake has ended (transparent: CONNECT). */
int cmd_qsslopen_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct net *n = module_tcpip(m);
  const char *host = at_param_str(c, 3);
  long cid, ctx, id, rport, mode = 0;
  struct tls_keys keys;
  int rc, level;
  if (c->cmd->nparams < 5 || c->cmd->nparams > 6 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) ||
      at_param_int(c, 1, 0, NET_SSL_CTX - 1, &ctx) ||
      at_param_int(c, 2, 0, NET_SOCKETS - 1, &id) || !host || !host[0] ||
      at_param_int(c, 4, 1, 65535, &rport) ||
      (at_param_present(c, 5) && at_param_int(c, 5, 0, 2, &mode)))
    return tcpip_error(TCPIP_INVALID_PARAM);
  memset(&keys, 0, sizeof(keys));
  level = n->ssl[ctx].set.seclevel;
  if (level >= 1)
    keys.ca = load(m, (int)ctx, "cacert", n->ssl[ctx].cacert, &keys.ca_len);
  if (level == 2) {
    keys.cert = load(m, (int)ctx, "clientcert", n->ssl[ctx].clientcert, &keys.cert_len);
    keys.key = load(m, (int)ctx, "clientkey", n->ssl[ctx].clientkey, &keys.key_len);
  }
  rc = net_open_tls(n, (int)call_port(c)->id, (int)cid, (int)ctx, (int)id, host, (int)rport,
                    (enum net_mode)mode, &keys);
  unload((unsigned char *)keys.ca, keys.ca_len);
  unload((unsigned char *)keys.cert, keys.cert_len);
  unload((unsigned char *)keys.key, keys.key_len);
  return socket_open_answer(c, rc, (int)id, (int)mode);
}

int cmd_qsslopen_test(struct at_call *c)
{
  at_info(c, "+QSSLOPEN: (1-%d),(0-%d),(0-%d),\"<serveraddr>\",(1-65535),(0-2)", PDP_CID_MAX,
          NET_SSL_CTX - 1, NET_SOCKETS - 1);
  return AT_OK;
}

/* The SSL client behind an id, or NULL (ERROR; AT+QIGETERROR says why). */
static const struct net_socket *ssl_client(struct net *n, long id)
{
  const struct net_socket *s = net_socket(n, (int)id);
  if (!s || s->ssl_ctx < 0) {
    n->last_error = TCPIP_NOT_ALLOWED;
    return NULL;
  }
  return s;
}

/* AT+QSSLSEND=<clientID>[,<send_length>]: "> ", the data (or up to Ctrl-Z), SEND OK. */
int cmd_qsslsend_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  long id, len = 0;
  if (c->cmd->nparams > 2 || at_param_int(c, 0, 0, NET_SOCKETS - 1, &id) ||
      (at_param_present(c, 1) && at_param_int(c, 1, 1, NET_SEND_MAX, &len)))
    return tcpip_error(TCPIP_INVALID_PARAM);
  if (!ssl_client(n, id))
    return AT_ERROR;
  return socket_send_begin(c, (int)id, (size_t)len, NULL, 0);
}

int cmd_qsslsend_test(struct at_call *c)
{
  at_info(c, "+QSSLSEND: (0-%d),(1-%d)", NET_SOCKETS - 1, NET_SEND_MAX);
  return AT_OK;
}

/* AT+QSSLRECV=<clientID>,<read_length>: +QSSLRECV: <n>, the bytes, OK. */
int cmd_qsslrecv_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  const struct net_socket *s;
  char buf[NET_READ_MAX];
  long id, max;
  size_t got;
  if (c->cmd->nparams != 2 || at_param_int(c, 0, 0, NET_SOCKETS - 1, &id) ||
      at_param_int(c, 1, 1, NET_READ_MAX, &max))
    return tcpip_error(TCPIP_INVALID_PARAM);
  if (!(s = ssl_client(n, id)))
    return AT_ERROR;
  if (s->mode != NET_BUFFER) {
    n->last_error = TCPIP_NOT_ALLOWED;
    return AT_ERROR;
  }
  got = net_read(n, (int)id, buf, (size_t)max);
  at_info(c, "+QSSLRECV: %zu", got);
  if (got) {
    at_raw(c->session, buf, got);
    at_raw(c->session, "\r\n", 2);
  }
  return AT_OK;
}

int cmd_qsslrecv_test(struct at_call *c)
{
  at_info(c, "+QSSLRECV: (0-%d),(1-%d)", NET_SOCKETS - 1, NET_READ_MAX);
  return AT_OK;
}

/* AT+QSSLCLOSE=<clientID>[,<timeout>]: a free id is no error; a TCP/IP socket's is. */
int cmd_qsslclose_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  const struct net_socket *s;
  long id, timeout;
  if (c->cmd->nparams > 2 || at_param_int(c, 0, 0, NET_SOCKETS - 1, &id) ||
      (at_param_present(c, 1) && at_param_int(c, 1, 0, 65535, &timeout)))
    return tcpip_error(TCPIP_INVALID_PARAM);
  s = net_socket(n, (int)id);
  if (s && s->ssl_ctx < 0) {
    n->last_error = TCPIP_NOT_ALLOWED;
    return AT_ERROR;
  }
  net_close(n, (int)id);
  return AT_OK;
}

int cmd_qsslclose_test(struct at_call *c)
{
  at_info(c, "+QSSLCLOSE: (0-%d),(0-65535)", NET_SOCKETS - 1);
  return AT_OK;
}

/* AT+QSSLSTATE (every SSL client) or AT+QSSLSTATE=<clientID>. */
static int ssl_states(struct at_call *c, int which)
{
  struct net *n = module_tcpip(call_module(c));
  for (int i = 0; i < NET_SOCKETS; i++) {
    const struct net_socket *s = net_socket(n, i);
    if (s && s->ssl_ctx >= 0 && (which < 0 || i == which))
      socket_state_line(c, n, s);
  }
  return AT_OK;
}

int cmd_qsslstate_read(struct at_call *c)
{
  return ssl_states(c, -1);
}

int cmd_qsslstate_write(struct at_call *c)
{
  long id;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, NET_SOCKETS - 1, &id))
    return tcpip_error(TCPIP_INVALID_PARAM);
  return ssl_states(c, (int)id);
}

int cmd_qsslstate_test(struct at_call *c)
{
  at_info(c, "+QSSLSTATE: (0-%d)", NET_SOCKETS - 1);
  return AT_OK;
}
