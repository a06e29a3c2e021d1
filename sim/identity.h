/* identity: IMEI, IMSI and ICCID, generated once per state dir and stable afterwards. */
#ifndef FOTASIM_IDENTITY_H
#define FOTASIM_IDENTITY_H

struct statedir;

struct identity {
  char imei[32];   /* 15 digits */
  char imsi[32];   /* 15 digits */
  char iccid[32];  /* 20 digits */
};

/* Loads identity.json, or generates and saves a new identity; -1 if it cannot be saved. */
int identity_load(struct identity *id, const struct statedir *sd);
/* The Luhn check digit for a string of digits. */
char identity_luhn(const char *digits);

#endif
