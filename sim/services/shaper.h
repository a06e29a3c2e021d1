/* shaper: a transfer's bytes crossing the module's modelled downlink on the virtual clock. The
 * bytes that come are held (the transfer paused) until the link, at the network model's
 * bandwidth, has carried them; so a download takes its virtual time at every timing, instant
 * included, where the clock jumps ahead instead of waiting. Every transfer of a module shapes
 * on the same link (network.downlink_free_vt): two at once share its bandwidth. */
#ifndef FOTASIM_SHAPER_H
#define FOTASIM_SHAPER_H

#include <stddef.h>
#include <stdint.h>

#include "network.h"
#include "vclock.h"

#define SHAPER_SLACK_MS 20  /* bytes due this soon go on at once (fewer pauses on fast links) */

struct shaper {
  struct network *nw;    /* the link: its bandwidth (0: no shaping) and when it is free */
  size_t crossed;        /* bytes that have crossed but were not taken yet */
  size_t pending;        /* bytes on the link now (while the timer runs) */
  struct vtimer timer;
  void (*resume)(void *ctx);  /* the held bytes have crossed: offer them again */
  void *ctx;
};

void shaper_init(struct shaper *s, struct vclock *clock, struct network *nw,
                 void (*resume)(void *), void *ctx);
/* len bytes have crossed the link now already (a socket read them): the link is busy that much
 * longer; the virtual ms until it is free (0: within the slack). */
uint64_t shaper_carry(struct network *nw, struct vclock *clock, size_t len);
/* The link (bandwidth set) takes len more bytes at virtual time now: when it will have carried
 * them (virtual ms), for a packet that goes then (a data call's). */
double shaper_link_take(struct network *nw, double now, size_t len);
/* Whether len bytes offered now may be taken: 1 yes (then shaper_took once they are); 0 no:
 * hold them (pause the transfer) until resume is called, then offer them again. */
int shaper_admit(struct shaper *s, size_t len);
void shaper_took(struct shaper *s, size_t len);
void shaper_stop(struct shaper *s);

#endif
