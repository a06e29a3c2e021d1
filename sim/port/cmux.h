/* cmux: the module's side of a 3GPP TS 27.010 multiplexer, basic option: frames parsed from the
 * carrying port's bytes (FCS checked; bad ones dropped and counted), DLCI 0's control channel
 * (SABM/UA, DISC, DM for closed DLCIs; CLD, MSC with the FC bit honoured, FCon/FCoff, Test,
 * PN, NSC for the rest) and DLCIs 1-4 carried as UIH frames of at most N1 bytes. It owns no
 * port: bytes go out and channel events go up through struct cmux_ops. */
#ifndef FOTASIM_CMUX_H
#define FOTASIM_CMUX_H

#include <stddef.h>
#include <stdint.h>

#define CMUX_DLCS 4                  /* DLCIs 1-4: the AT channels */
#define CMUX_N1_MAX 1540             /* AT+CMUX's largest frame size */
#define CMUX_FLAG 0xF9

/* AT+CMUX's parameters (27.007 order). */
struct cmux_params {
  int mode, subset, port_speed, n1, t1, n2, t2, t3, k;
};

struct cmux_ops {
  void (*write)(void *ctx, const char *data, size_t len);   /* frames to the carrying port */
  void (*opened)(void *ctx, int dlci);                       /* SABM on 1-4 accepted */
  void (*closed)(void *ctx, int dlci);                       /* DISC on 1-4 */
  /* A UIH frame's bytes for an open DLC; returns how many the channel took (the rest is
   * dropped and counted: the host sent past its room). */
  size_t (*data)(void *ctx, int dlci, const char *data, size_t len);
  void (*ready)(void *ctx, int dlci);                        /* the host lets us send again */
  void (*ended)(void *ctx);                                  /* CLD, or DISC on DLCI 0 */
};

enum cmux_rx_state { RX_FLAG, RX_ADDRESS, RX_CONTROL, RX_LENGTH, RX_LENGTH2, RX_INFO, RX_FCS,
                     RX_CLOSE };

struct cmux_dlc {
  int open;
  int stopped;                       /* MSC FC=1 from the host: nothing may go on it */
  uint8_t v24;                       /* the host's last V.24 signals (MSC) */
};

struct cmux {
  const struct cmux_ops *ops;
  void *ctx;
  struct cmux_params par;
  int started;                       /* DLCI 0 is open */
  int fcoff;                         /* FCoff from the host: no data on any DLC */
  int ended;                         /* CLD or DISC 0 came: nothing more is parsed */
  struct cmux_dlc dlc[CMUX_DLCS + 1];
  /* the frame being received */
  enum cmux_rx_state rx;
  uint8_t addr, ctrl;
  size_t len, got;
  uint8_t info[CMUX_N1_MAX];
  /* counts, for status and logs */
  unsigned long frames_in, frames_out, bad_fcs, too_long, dropped_bytes;
};

/* Defaults as the EC200U reports them: 0,0,5,127,10,3,30,10,2. */
void cmux_params_default(struct cmux_params *p);
void cmux_init(struct cmux *c, const struct cmux_params *par, const struct cmux_ops *ops,
               void *ctx);
/* The carrying port's bytes: how many belong to the multiplexer (all, unless it ended: the
 * rest is plain AT again). */
size_t cmux_input(struct cmux *c, const char *data, size_t len);
/* Data for the host on DLC dlci, as UIH frames of at most N1 bytes: how much went (0 while
 * flow control holds it, or the DLC is not open). */
size_t cmux_send(struct cmux *c, int dlci, const char *data, size_t len);
/* Whether the DLC may carry data now. */
int cmux_can_send(const struct cmux *c, int dlci);
/* One frame's bytes into out (at least len + 8 bytes): their count. For tests and the fuzz
 * target as well. */
size_t cmux_frame(uint8_t *out, int dlci, int cr, uint8_t control, const uint8_t *info,
                  size_t len);
/* 27.010's FCS over bytes (address, control, length, and for non-UIH frames the info). */
uint8_t cmux_fcs(const uint8_t *data, size_t len);

#endif
