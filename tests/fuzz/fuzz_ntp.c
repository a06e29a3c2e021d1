/* fuzz_ntp: the SNTP reply parser (AT+QNTP) on any datagram: the first 8 bytes of the input are
 * the request's transmit time, the rest the reply. An accepted reply must echo that time and
 * be a server's. */
#include <string.h>

#include "fuzz.h"
#include "ntp.h"

void fuzz_init(void)
{
}

void fuzz_one(const uint8_t *data, size_t len)
{
  uint8_t transmit[8] = { 0 };
  time_t t;
  if (len < 8)
    return;
  memcpy(transmit, data, 8);
  if (ntp_parse_reply(data + 8, len - 8, transmit, &t) == 0 &&
      (len - 8 < NTP_PACKET || (data[8] & 7) != 4 || memcmp(data + 8 + 24, transmit, 8)))
    __builtin_trap(); /* accepted something that is not an answer to this request */
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  uint8_t in[8 + NTP_PACKET];
  memset(in, 0, sizeof(in));
  memcpy(in, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  in[8] = 0x24; /* version 4, server */
  in[9] = 2;
  memcpy(in + 8 + 24, in, 8);
  in[8 + 40] = 0xe9; /* some time in 2024 */
  emit(in, sizeof(in));
  in[9] = 0; /* a kiss-of-death */
  emit(in, sizeof(in));
  emit(in, 20);
}
