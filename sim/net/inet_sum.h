/* inet_sum: the Internet checksum (RFC 1071) over bytes, from a running sum (a pseudo header):
 * the one's complement of the one's complement sum, as the IP, UDP and TCP headers carry it. */
#ifndef FOTASIM_INET_SUM_H
#define FOTASIM_INET_SUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t inet_sum(uint32_t sum, const uint8_t *p, size_t len)
{
  for (size_t i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (len & 1)
    sum += (uint32_t)p[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xFFFF) + (sum >> 16);
  return (uint16_t)~sum;
}

#endif
