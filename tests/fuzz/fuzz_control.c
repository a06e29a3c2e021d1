/* fuzz_control: the control channel's requests (sim/control) on any bytes, as lines a client
 * sends over the Unix socket to a real module (inproc_module): JSON or not, any command and
 * parameters, events and waits opened and left. Every input is one connection, closed at its
 * end; the module must never crash and must boot again afterwards. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "fuzz.h"
#include "inproc_module.h"

static struct inproc_module F;
static struct control C;
static struct sockaddr_un addr;

void fuzz_init(void)
{
  char err[512];
  inproc_module_init(&F, NULL);
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/control.sock", F.dir);
  if (control_start(&C, F.loop, addr.sun_path, &F.m, 1, &F.bus, err, sizeof(err)) != 0) {
    fprintf(stderr, "fuzz_control: %s\n", err);
    _exit(1);
  }
}

static void drain(int fd)
{
  char buf[8192];
  while (read(fd, buf, sizeof(buf)) > 0)
    ;
}

void fuzz_one(const uint8_t *data, size_t len)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  size_t off = 0;
  int stuck = 0;
  module_fault_clear(F.m);
  inproc_module_reset(&F);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    if (fd >= 0)
      close(fd);
    return;
  }
  while (off < len && stuck < 64) {
    ssize_t n = write(fd, data + off, len - off);
    if (n > 0) {
      off += (size_t)n;
      stuck = 0;
    } else {
      stuck++;
    }
    inproc_module_settle(&F);
    drain(fd);
  }
  if (write(fd, "\n", 1) == 1) /* the last line ends */
    inproc_module_settle(&F);
  drain(fd);
  close(fd);
  inproc_module_settle(&F); /* the channel sees the hang-up and lets go of the client */
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  static const char *const seeds[] = {
    "{\"cmd\":\"status\"}\n", "{\"cmd\":\"help\",\"id\":7}\n",
    "{\"cmd\":\"power\",\"action\":\"cut\"}\n{\"cmd\":\"power\",\"action\":\"on\"}\n",
    "{\"cmd\":\"power\",\"action\":\"off\"}\n{\"cmd\":\"reflash\"}\n",
    "{\"cmd\":\"reset\"}\n", "{\"cmd\":\"storage\",\"medium\":\"SD\",\"present\":true}\n",
    "{\"cmd\":\"storage\",\"medium\":\"UFS\",\"fill\":1000}\n",
    "{\"cmd\":\"storage\",\"medium\":\"UFS\",\"free\":true}\n",
    "{\"cmd\":\"inject\",\"rule\":{\"phase\":\"download\",\"percent\":10,\"fail\":702}}\n",
    "{\"cmd\":\"inject\",\"rule\":\"{at: 0, urc: 'x', rssi: 3}\"}\n", "{\"cmd\":\"clear\"}\n",
    "{\"cmd\":\"sms\",\"from\":\"+123\",\"text\":\"hi\"}\n",
    "{\"cmd\":\"network\",\"registration\":\"roaming\",\"rat\":\"GSM\",\"rssi\":5}\n",
    "{\"cmd\":\"events\",\"types\":[\"rx\",\"tx\",\"urc\"]}\n",
    "{\"cmd\":\"wait\",\"event\":\"urc\",\"match\":\"RDY\",\"timeout\":50}\n",
    "{\"cmd\":\"status\",\"module\":3}\n", "{\"cmd\":1}\n", "[1,2]\n", "not json\n",
    "{\"cmd\":\"status\"", 
  };
  for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
    emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}
