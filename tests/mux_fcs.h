/* mux_fcs: 27.010's frame check sequence, the tests' own (CMUX and PPP-over-CMUX clients). */
#ifndef FOTASIM_TEST_MUX_FCS_H
#define FOTASIM_TEST_MUX_FCS_H

#include <stddef.h>
#include <stdint.h>

/* CRC-8, x^8 + x^2 + x + 1 reflected, from 0xFF, complemented (27.010 annex B). */
static inline uint8_t mux_fcs(const uint8_t *p, size_t n)
{
  uint8_t crc = 0xFF;
  while (n--) {
    crc ^= *p++;
    for (int i = 0; i < 8; i++)
      crc = (uint8_t)(crc & 1 ? (crc >> 1) ^ 0xE0 : crc >> 1);
  }
  return (uint8_t)~crc;
}

#endif
