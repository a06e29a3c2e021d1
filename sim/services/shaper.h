/* shaper: a download's bytes crossing the modelled downlink on the virtual clock. The bytes that
 * come are held (the transfer paused) until the link, at the network model's bandwidth, has
 * carried them; so a download takes its virtual time at every timing, instant included, where
 * the clock jumps ahead instead of waiting. */
#ifndef FOTASIM_SHAPER_H
#define FOTASIM_SHAPER_H

#include <stddef.h>
#include <stdint.h>

#include "vclock.h"

#define SHAPER_SLACK_MS 20  /* bytes due this soon go on at once (fewer pauses on fast links) */

struct shaper {
  uint64_t bps;          /* 0: no shaping */
  double free_vt;        /* virtual ms when the link has carried all it was given */
  size_t crossed;        /* bytes that have crossed but were not taken yet */
  size_t pending;        /* bytes on the link now */
  int waiting;
  struct vtimer timer;
  void (*resume)(void *ctx);  /* the held bytes have crossed: offer them again */
  void *ctx;
};

void shaper_init(struct shaper *s, struct vclock *clock, uint64_t bps, void (*resume)(void *),
                 void *ctx);
/* Whether len bytes offered now may be taken: 1 yes (then shaper_took once they are); 0 no:
 * hold them (pause the transfer) until resume is called, then offer them again. */
int shaper_admit(struct shaper *s, size_t len);
void shaper_took(struct shaper *s, size_t len);
void shaper_stop(struct shaper *s);

#endif
