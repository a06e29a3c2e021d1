/* identity: IMEI, IMSI and ICCID, generated once per state dir and stable afterwards. */
#ifndef FOTASIM_IDENTITY_H
#define FOTASIM_IDENTITY_H

#include <stdint.h>

struct statedir;

struct identity {
  char imei[32];   /* 15 digits */
  char imsi[32];   /* 15 digits */
  char iccid[32];  /* 20 digits */
};

/* Loads identity.json, or generates and saves a new identity (from seed when seeded, so that
 * a scenario's runs are alike; at random otherwise); -1 if it cannot be saved. */
int identity_load(struct identity *id, const struct statedir *sd, int seeded, uint64_t seed);
/* The Luhn check digit for a string of digits. */
char identity_luhn(const char *digits);

#endif
