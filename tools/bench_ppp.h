/* bench_ppp: fotabench --ppp TTY / --ppp-dlc TTY: bulk TCP through a data call on TTY (the
 * modem port of a fotasim at --timing instant), or on DLC 1 of a CMUX on TTY (its USB AT port
 * or main UART), against the same bytes straight over loopback. */
#ifndef FOTASIM_BENCH_PPP_H
#define FOTASIM_BENCH_PPP_H

int bench_ppp(const char *tty, int dlc);

#endif
