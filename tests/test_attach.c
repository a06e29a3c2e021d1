/* test_attach: ports attached otherwise than as PTYs: the main UART as a TCP listener (as QEMU's
 * -serial tcp:HOST:PORT,server or -chardev socket reach it), driven by a test client: AT, a
 * FILE-mode FOTA over the connection and the reboot seen on it, a host that disconnects and
 * one that reconnects (the module goes on), a second client taking over; bad --port values. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_server.h"
#include "fota_host.h"
#include "host.h"
#include "loopback.h"

static int lport;


static int connect_main(void)
{
  struct sockaddr_in a;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)lport);
  ck_assert_msg(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "cannot connect to %d",
                lport);
  return fd;
}

static void start_tcp_main(void)
{
  char spec[64];
  const char *extra[] = { "--port", spec, NULL };
  lport = loopback_free_port();
  snprintf(spec, sizeof(spec), "main=tcp-listen:127.0.0.1:%d", lport);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  ck_assert_msg(strstr(S.ready, "main=tcp-listen:127.0.0.1:"), "%s", S.ready);
  U = tty_open(S.usb_link);
  expect_tty(U, BOOT_URCS);
}

START_TEST(tcp_listener_main_uart)
{
  int c, c2;
  start_tcp_main();
  c = connect_main();
  chat(c, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(c, "ATI\r", "\r\nQuectel\r\nEC200U\r\nRevision: " REV_A "\r\n\r\nOK\r\n");
  /* FILE mode over the connection; the reboot's boot URCs come on it */
  send_delta_ab(c, "");
  updating(c, 100);
  urc(c, "\"END\",0");
  expect_tty(c, BOOT_URCS);
  chat(c, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(c, REV_B);
  /* the host unplugs; the module goes on (the rebooted USB port answers); a new host resumes */
  close(c);
  close(U);
  for (int i = 0; i < 500 && access(S.usb_link, F_OK) != 0; i++)
    usleep(10000);
  U = tty_open(S.usb_link);
  while (tty_read_for(U, (char[256]){ 0 }, 256, 300) > 0) /* its boot URCs */
    ;
  chat(U, "AT\r", "AT\r\r\nOK\r\n"); /* echo on again after the boot */
  c = connect_main();
  chat(c, "AT\r", "\r\nOK\r\n"); /* the session's settings stay: ATE0 of before */
  /* a second client takes over: the first one is disconnected */
  c2 = connect_main();
  chat(c2, "AT+CSQ\r", "\r\n+CSQ: 24,99\r\n\r\nOK\r\n");
  {
    char b[16];
    ck_assert_int_eq(read(c, b, sizeof(b)), 0);
  }
  close(c);
  close(c2);
}
END_TEST

/* The main UART as a TCP client of the test's server (as Renode's server socket terminal): it
 * connects at start, and again after the server drops the connection. */
START_TEST(tcp_client_main_uart)
{
  char spec[64];
  const char *extra[] = { "--port", spec, NULL };
  int srv = listen_on(SOCK_STREAM, &lport), c;
  struct pollfd p = { srv, POLLIN, 0 };
  ck_assert_int_ge(srv, 0);
  snprintf(spec, sizeof(spec), "main=tcp:127.0.0.1:%d", lport);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  c = accept(srv, NULL, NULL);
  ck_assert_int_ge(c, 0);
  chat(c, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(c, "AT+CSQ\r", "\r\n+CSQ: 24,99\r\n\r\nOK\r\n");
  close(c); /* the host goes: the module connects again */
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  c = accept(srv, NULL, NULL);
  ck_assert_int_ge(c, 0);
  chat(c, "AT\r", "\r\nOK\r\n");
  close(c);
  close(srv);
}
END_TEST

/* A serial device, stood in for by a PTY pair the test makes (openpty): the module opens the
 * device, answers on it, and puts AT+IPR and AT+IFC onto the device's own line. */
START_TEST(serial_device_main_uart)
{
  char spec[300], name[256];
  const char *extra[] = { "--port", spec, NULL };
  int master, slave;
  struct termios t;
  ck_assert_int_eq(openpty(&master, &slave, name, NULL, NULL), 0);
  ck_assert_int_eq(tcgetattr(master, &t), 0);
  cfmakeraw(&t);
  tcsetattr(master, TCSANOW, &t);
  close(slave);
  snprintf(spec, sizeof(spec), "main=%s", name);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  while (tty_read_for(master, (char[256]){ 0 }, 256, 300) > 0) /* the boot URCs */
    ;
  chat(master, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(master, "ATI\r", "\r\nQuectel\r\nEC200U\r\nRevision: " REV_A "\r\n\r\nOK\r\n");
  chat(master, "AT+IPR=57600;+IFC=2,2\r", "\r\nOK\r\n");
  ck_assert_int_eq(tcgetattr(master, &t), 0);
  ck_assert_int_eq(cfgetospeed(&t), B57600);
  ck_assert(t.c_cflag & CRTSCTS);
  chat(master, "AT+IPR=115200;+IFC=0,0\r", "\r\nOK\r\n");
  ck_assert_int_eq(tcgetattr(master, &t), 0);
  ck_assert_int_eq(cfgetospeed(&t), B115200);
  ck_assert(!(t.c_cflag & CRTSCTS));
  close(master);
}
END_TEST

START_TEST(bad_port_options)
{
  char out[512];
  const char *bad1[] = { "--state-dir", S.dir, "--port", "uart=tcp-listen:127.0.0.1:1", NULL };
  const char *bad2[] = { "--state-dir", S.dir, "--port", "main=tcp-listen:nowhere:1", NULL };
  ck_assert_int_eq(run_fotasim(bad1, out, sizeof(out)), 2);
  ck_assert_str_eq(out, "fotasim: bad --port 'uart=tcp-listen:127.0.0.1:1' (main, usb or modem "
                        "= pty, tcp-listen:HOST:PORT, tcp:HOST:PORT or a serial device's /path) (see "
                        "fotasim --help)\n");
  ck_assert_int_ne(run_fotasim_for(bad2, out, sizeof(out), 10000), 0);
  ck_assert_msg(strstr(out, "port main: 'nowhere' is not an IPv4 address"), "%s", out);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("attach");
  TCase *t = tcase_create("attach");
  make_packages();
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, tcp_listener_main_uart);
  tcase_add_test(t, tcp_client_main_uart);
  tcase_add_test(t, serial_device_main_uart);
  tcase_add_test(t, bad_port_options);
  suite_add_tcase(s, t);
  return run_suite(s);
}
