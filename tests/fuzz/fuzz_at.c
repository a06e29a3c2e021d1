/* fuzz_at: the real command table (sim/cmd) behind a real module's USB AT port: any bytes, as
 * a host writes them, into a module that has just booted; the commands run for real (files,
 * NV, sockets to 127.0.0.1, CMUX, data calls, FOTA). The module must never crash, and must boot
 * again afterwards (inproc_module_reset exits if it does not). fuzz_session fuzzes the
 * interpreter alone, much faster. */
#include <string.h>

#include "fuzz.h"
#include "inproc_module.h"

static struct inproc_module F;

void fuzz_init(void)
{
  inproc_module_init(&F, NULL);
}

void fuzz_one(const uint8_t *data, size_t len)
{
  inproc_module_reset(&F);
  inproc_module_send(&F, (const char *)data, len);
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  static const char *const seeds[] = {
    "AT\r", "ATI\r", "ATE0;+CMEE=2\r", "AT+CSQ;+CREG?;+CGREG?;+CEREG?;+COPS?\r",
    "AT+CGSN;+CIMI;+QCCID;+CGMR\r", "AT&V\r", "AT&W\r", "ATZ\r", "AT&F\r", "A/",
    "AT+QCFG=\"fota/path\",\"UFS:a\"\r", "AT+QCFG=\"fota/cid\",2\r",
    "AT+QICSGP=1,1,\"apn\",\"u\",\"p\",1\r", "AT+QIACT=1;+QIACT?\r",
    "AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",9,0,0\r", "AT+QIOPEN=1,1,\"UDP\",\"127.0.0.1\",9,0,1\r",
    "AT+QISEND=0,5\rhello", "AT+QIRD=0,100\r", "AT+QICLOSE=0\r", "AT+QISTATE?\r",
    "AT+QFUPL=\"a.bin\",10,1\r0123456789", "AT+QFLST=\"*\"\r", "AT+QFDWL=\"a.bin\"\r",
    "AT+QFDEL=\"*\"\r", "AT+QFLDS=\"UFS\"\r",
    "AT+QFOTADL=\"FILE:16\",1,0,0\rAT+CFUN=0\r0123456",
    "AT+QFOTADL=\"http://127.0.0.1:9/a.pkg\",1,5,5\r",
    "AT+QHTTPCFG=\"contextid\",1\r", "AT+QHTTPURL=20,1\rhttp://127.0.0.1:9/x",
    "AT+QHTTPGET=1\r", "AT+QMTOPEN=0,\"127.0.0.1\",9\r", "AT+QMTCONN=0,\"id\",\"u\",\"p\"\r",
    "AT+CMGF=1\r", "AT+CMGS=\"+123\"\rhello\x1a", "AT+CMGL=\"ALL\"\r", "AT+CCLK?\r",
    "AT+QNTP=1,\"127.0.0.1\",9\r", "AT+CMUX=0\r\xf9\x03\x3f\x01\x1c\xf9",
    "ATD*99#\r\x7e\xff\x7d\x23\xc0\x21\x7e", "AT+IPR=921600;+IFC=2,2\r", "AT+CFUN=4;+CFUN=1\r",
    "AT+QPOWD=1\r", "AT+CFUN=1,1\r",
  };
  for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
    emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}
