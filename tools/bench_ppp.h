/* bench_ppp: fotabench --ppp TTY: bulk TCP through a data call on TTY (the modem port of a
 * fotasim at --timing instant) against the same bytes straight over loopback. */
#ifndef FOTASIM_BENCH_PPP_H
#define FOTASIM_BENCH_PPP_H

int bench_ppp(const char *tty);

#endif
