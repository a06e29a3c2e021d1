/* ftp: the module's FTP(S) client (the FTP(S) note): one session with its own control
 * connection, kept open between commands (libcurl on the process's curl loop, with a connection
 * cache of its own), one command at a time, the server's replies as the FTP list's codes.
 * Knows no port and no command: it reports through struct ftp_ops. */
#ifndef FOTASIM_FTP_H
#define FOTASIM_FTP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "curl_loop.h"
#include "svc_env.h"
#include "net.h"
#include "network.h"
#include "shaper.h"
#include "storage.h"
#include "vclock.h"

#define FTP_NAME_MAX 255             /* a file or directory name in a command */
#define FTP_PATH_MAX 1024            /* the session's current directory */
#define FTP_ACCOUNT_MAX 255          /* "account" user name and password */
#define FTP_RX_MAX (128 * 1024)      /* bytes held for the port; then curl waits */
#define FTP_CURL_CHUNK (16 * 1024)   /* what curl hands over at once */
#define FTP_PUT_MAX (1024 * 1024)    /* AT+QFTPPUT from the port: the most held for one upload */
#define FTP_WAIT_FLOOR_MS 2000       /* the least real time a server is waited for */

/* AT+QFTPCFG */
struct ftp_config {
  char user[FTP_ACCOUNT_MAX + 1], pass[FTP_ACCOUNT_MAX + 1];
  int filetype;              /* 0 binary, 1 ASCII */
  int transmode;             /* 0 active (the module listens), 1 passive */
  int contextid;
  int rsptimeout;            /* seconds, 20-180 */
  int ssltype;               /* 0 FTP, 1 implicit FTPS, 2 explicit FTPS (AUTH TLS) */
  int sslctxid;
};

enum ftp_state {
  FTP_CLOSED,                /* no session */
  FTP_OPENING,               /* AT+QFTPOPEN under way */
  FTP_IDLE,                  /* logged in, nothing under way */
  FTP_WORKING,               /* a command (CWD, SIZE, DELE, ...) under way */
  FTP_TRANSFER,              /* a data connection: GET, PUT, LIST, NLST */
  FTP_CLOSING                /* AT+QFTPCLOSE under way */
};

enum ftp_op {
  FTP_OP_OPEN, FTP_OP_CLOSE, FTP_OP_CWD, FTP_OP_SIZE, FTP_OP_MDTM, FTP_OP_DEL, FTP_OP_MKDIR,
  FTP_OP_RMDIR, FTP_OP_RENAME, FTP_OP_GET, FTP_OP_PUT, FTP_OP_LIST, FTP_OP_NLST
};

struct ftp_ops {
  void (*urc)(void *ctx, int port, const char *text);
  void (*readable)(void *ctx, int port); /* data for the port, or the transfer's end */
};

/* One request: what the command asked for. */
struct ftp_request {
  enum ftp_op op;
  const char *name;          /* the file or directory on the server (NULL: the current one) */
  const char *name2;         /* AT+QFTPRENAME's new name */
  const char *local;         /* GET/LIST into this host path, PUT from it; NULL: the port */
  int medium;                /* the local file's medium (enum medium) */
  const char *data;          /* PUT from the port: the bytes (copied) */
  size_t data_len;
  uint64_t startpos;         /* GET: the first byte; PUT: >0 appends */
  uint64_t length;           /* GET: at most this many bytes (0: to the end) */
};

struct ftp {
  struct svc_env env;
  const struct ftp_ops *ops;
  void *ctx;

  struct ftp_config cfg;
  enum ftp_state state;
  char host[256];
  int port_no;
  char cwd[FTP_PATH_MAX + 1];
  CURLSH *share;             /* the session's connection cache: its control connection */

  /* the request under way */
  enum ftp_op op;
  const char *verb;          /* "+QFTPGET", ... */
  int port;                  /* where its URCs go */
  int to_port;               /* GET/LIST: the bytes go to the port (cmd layer reports) */
  CURL *easy;
  struct curl_job job;
  struct curl_slist *resolve, *quote;
  char target[FTP_PATH_MAX + 1]; /* CWD's new directory */
  int first_reply, last_reply; /* the server's first and last reply >= 400 */
  int err, reply;            /* how it ended: a code of the FTP list and the server's reply */
  int ended;
  FILE *file;                /* GET into UFS (a temporary name), PUT from it */
  char path[4400], tmp[4500];
  uint64_t file_room;        /* GET into UFS: what the medium has left */
  char *tx;                  /* PUT from the port */
  size_t tx_len, tx_off;
  char *rx;                  /* bytes for the port not yet taken */
  size_t rx_off, rx_len;
  int paused, taking;
  struct shaper shape;       /* what comes crosses the modelled downlink on the virtual clock */
  uint64_t transferred;      /* AT+QFTPLEN */
  uv_timer_t kick_timer;     /* nudges curl's passive data connection (ftp.c) */
  int kicking, timer_open;
};

void ftp_init(struct ftp *f, const struct svc_env *env, const struct ftp_ops *ops, void *ctx);
/* Power off, reboot: the session goes without a word, the settings return to defaults. */
void ftp_reset(struct ftp *f);
void ftp_close(struct ftp *f);

/* AT+QFTPOPEN: 0 (the result comes as "+QFTPOPEN: <err>,<protocol_error>"), or a code for
 * +CME ERROR. */
int ftp_open(struct ftp *f, const char *host, int port, int at_port);
/* Any other command of the session: 0 (its URC follows; for GET and LIST to the port, the cmd
 * layer reads with ftp_take and ftp_finished), or a code for +CME ERROR. */
int ftp_request(struct ftp *f, const struct ftp_request *r, const char *verb, int at_port);
/* Takes up to max bytes the server sent for the port. */
size_t ftp_take(struct ftp *f, char *out, size_t max);
/* The transfer to the port has ended and all was taken: 1, its code and the server's reply. */
int ftp_finished(const struct ftp *f, int *err, int *reply);
/* The port stops reading (it went away): the transfer ends, nothing more is reported. */
void ftp_abandon(struct ftp *f);
/* AT+QFTPSTAT's <ftpstat>: 0 opening, 1 idle, 2 transferring, 3 closing, 4 closed. */
int ftp_stat(const struct ftp *f);

#endif
