/* fota_host: what the FOTA integration tests share: the test packages (A→B→C deltas built in
 * memory), the boot URCs, and the host-side steps of a FOTA (start a module, send the FILE
 * command, expect URCs, check the revision, follow the reboot, start with a scenario). */
#ifndef FOTASIM_TEST_FOTA_HOST_H
#define FOTASIM_TEST_FOTA_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "fotasim/fwimage.h"

#define BOOT_URCS \
  "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n"
#define REV_A FW_DEFAULT_REVISION_EC200U
#define REV_B "EC200UCNAAR02A10M08"
#define REV_C "EC200UCNAAR02A11M08"

extern uint8_t *delta_ab, *delta_bc;
extern size_t delta_ab_len, delta_bc_len, image_b_len;

/* Builds delta_ab (A→B) and delta_bc (B→C); exits if it cannot. */
void make_packages(void);
/* A module with these extra options; M and U open, boot URCs seen, echo off on both. */
void start_args(const char *const *extra);
/* The same with defaults. */
void start(void);
/* A module that plays this scenario text (written into its state dir), for the data tests:
 * only M open, echo off, context 1 active. */
void start_data(const char *scenario_yaml);
/* Expects "\r\n+QIND: \"FOTA\",<body>\r\n" on fd. */
void urc(int fd, const char *body);
/* The n progress URCs of one kind: the k-th says k*100/n. */
void progress(int fd, const char *what, int n);
void updating(int fd, int n);
/* AT+QFOTADL="FILE:<len>"<rest>: OK and FILESTART. */
void file_command(int fd, size_t len, const char *rest);
/* A FILE-mode FOTA of delta_ab on fd up to FILEEND,0 and START. */
void send_delta_ab(int fd, const char *rest);
/* Reads fd until the port hangs up (at most 5 s between bytes); NUL-terminated. */
size_t read_until_hangup(int fd, char *buf, size_t size);
/* A power cut seen from the USB port: what came before U hung up goes into got (the URCs just
 * before a cut may vanish with the port, so callers expect a prefix); the module is off; U is
 * closed; then the power comes back on. */
size_t usb_cut_then_power_on(char *got, size_t size);
void revision_is(int fd, const char *rev);
/* After END,0 on the USB port: it goes away; the new one comes up with rev. */
void usb_reboots_into(const char *rev);
/* Polls control status until it contains needle. */
void status_has(const char *needle, int timeout_ms);
const char *scenario_dir(void);
/* A module on scenarios/<name> at this timing; U ready with echo off. */
void start_with_scenario(const char *name, const char *timing);
/* The transcript's bytes per port and direction, and its state changes, timestamps aside. */
char *transcript_streams(const char *path);
/* The module's output events (tx) of a transcript that match: text, a substring of their ASCII
 * "data"; or, text NULL, binary ("base64") of more than min_bytes. Their count; the first's and
 * the last's virtual times in *first and *last (-1 if none). */
int transcript_tx_span(const char *path, const char *text, size_t min_bytes, long long *first,
                       long long *last);
/* A module on a scenario given as YAML text; M and U ready with echo off. */
void start_with_rules(const char *yaml);

#endif
