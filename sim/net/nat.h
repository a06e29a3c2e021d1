/* nat: the user-mode NAT behind a data call: libslirp (QEMU's user-mode network stack) on the
 * module's libuv loop, fed the host's IP packets and giving back the answers, so that the
 * host's TCP and UDP reach real servers on this machine without root or a kernel PPP. The
 * host has the call's address in a /24 where .1 is the gateway (this machine's 127.0.0.1 for
 * the host) and .3 the DNS server (names from the scenario's DNS map, the rest from the
 * machine's resolver). Ethernet framing and ARP, which libslirp wants, stay inside. */
#ifndef FOTASIM_NAT_H
#define FOTASIM_NAT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "network.h"

struct nat_ops {
  void (*to_host)(void *ctx, const uint8_t *ip, size_t len);   /* an IP packet for the host */
};

struct nat;

/* host_ip: the host's address (host byte order); NULL if libslirp would not start. */
struct nat *nat_new(uv_loop_t *loop, uint32_t host_ip, const struct dns_entry *dns, int ndns,
                    const struct nat_ops *ops, void *ctx);
/* One IP packet from the host. */
void nat_from_host(struct nat *n, const uint8_t *ip, size_t len);
/* The host's IP packet, if it is a DNS query (UDP to dns_ip:53) for one A record of a name in
 * the map: the answer's IP packet in rep (its length); 0 for anything else (the machine's
 * resolver answers it). Apart for the fuzz target. */
size_t nat_dns_reply(const uint8_t *ip, size_t len, uint32_t dns_ip, const struct dns_entry *dns,
                     int ndns, uint8_t *rep, size_t size);
/* Ends every connection; the memory goes once libuv has closed the handles. */
void nat_free(struct nat *n);

#endif
