/* sms: the module's short messages in text mode: the SIM's message store ("SM", 50 slots,
 * kept while the process runs, as a SIM keeps them across reboots), the settings of AT+CMGF,
 * AT+CSCA, AT+CSMP, AT+CNMI, and the message reference of sent messages. Knows no port. */
#ifndef FOTASIM_SMS_H
#define FOTASIM_SMS_H

#include <stddef.h>
#include <time.h>

#define SMS_SLOTS 50
#define SMS_TEXT_MAX 160          /* one message's characters in text mode */
#define SMS_ADDR_MAX 20           /* digits of an address, '+' included */

enum sms_stat { SMS_REC_UNREAD, SMS_REC_READ, SMS_STO_UNSENT, SMS_STO_SENT, SMS_STAT_COUNT };

struct sms_msg {
  int used;
  enum sms_stat stat;
  char addr[SMS_ADDR_MAX + 1];
  time_t when;                    /* the service centre's time stamp */
  char text[SMS_TEXT_MAX + 1];
  size_t len;
};

struct sms {
  struct sms_msg slot[SMS_SLOTS]; /* index i + 1 is the host's <index> */
  int cmgf;                       /* 0 PDU, 1 text */
  char sca[SMS_ADDR_MAX + 1];     /* AT+CSCA */
  int sca_type;
  int fo, vp, pid, dcs;           /* AT+CSMP */
  int cnmi[5];                    /* <mode>,<mt>,<bm>,<ds>,<bfr> */
  int csdh;                       /* AT+CSDH: show the header's details */
  int mr;                         /* the last message reference */
};

/* The settings after a boot (the store stays). */
void sms_boot(struct sms *s);
/* A message that arrives: its 1-based index, or -1 when the store is full. */
int sms_store(struct sms *s, const char *from, const char *text, size_t len, time_t when);
/* The message at a 1-based index, or NULL. */
struct sms_msg *sms_at(struct sms *s, int index);
int sms_used(const struct sms *s);
/* "REC UNREAD", ...; and back: the stat of a name ("ALL": SMS_STAT_COUNT), or -1. */
const char *sms_stat_name(enum sms_stat st);
int sms_stat_of(const char *name);
/* Whether an address is one the module sends to: '+' and up to 20 digits, or digits. */
int sms_address_valid(const char *addr);
/* AT+CMGD's <delflag>: 0 the index, 1 read, 2 read and sent, 3 read, sent and unsent, 4 all. */
void sms_delete_flag(struct sms *s, int flag);
/* "yy/MM/dd,hh:mm:ss+zz" of a time (UTC, +00). */
void sms_time_text(time_t t, char *out, size_t size);

#endif
