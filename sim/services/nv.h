/* nv: the module's non-volatile settings (the AT&W profile, serial settings, FOTA configuration,
 * PDP context definitions, URC indication switches), kept as nv.json in the state dir. */
#ifndef FOTASIM_NV_H
#define FOTASIM_NV_H

#include "at_session.h"

#define PDP_CID_MAX 15
#define FOTA_PATH_MAX 64

struct pdp_context {
  int defined;
  int type;            /* 1 IPv4, 2 IPv6, 3 IPv4v6 */
  char apn[101];
  char user[128];
  char password[128];
  int auth;            /* 0 none, 1 PAP, 2 CHAP, 3 PAP or CHAP */
};

enum qind_switch { QIND_ALL, QIND_CSQ, QIND_SMSFULL, QIND_RING, QIND_SMSINCOMING, QIND_COUNT };
extern const char *const nv_qind_names[QIND_COUNT]; /* "all", "csq", ... as +QINDCFG names them */

struct nv {
  struct at_settings profile;   /* restored by ATZ and at every boot */
  long ipr;
  int ifc_dce, ifc_dte;
  int icf_format, icf_parity;
  char fota_path[FOTA_PATH_MAX];
  int fota_cid;
  struct pdp_context ctx[PDP_CID_MAX + 1];  /* index = cid, 1..15 */
  int qind[QIND_COUNT];
  /* what host stacks set at init (AT+QCFG, AT+QURCCFG, AT+CPSMS, AT+CEDRXS, AT+CCLK) */
  int nwscanmode;               /* 0 auto, 1 GSM only, 3 LTE only */
  char band_gsm[20], band_lte[24];  /* hex masks as AT+QCFG="band" gives them */
  int usbnet;
  int psm_urc;
  int apready, apready_level, apready_interval;
  char urcport[12];             /* "usbat", "usbmodem", "uart1" */
  int psm_mode;
  char psm_tau[9], psm_active[9];   /* 8-bit strings of 27.007 */
  int edrx_mode, edrx_act;
  char edrx_value[5];
  long clock_offset;
  int ctzu;                     /* AT+CTZU: the clock follows the network's time zone reports */
  int sclk;                     /* AT+QSCLK: not kept across a restart of fotasim */            /* AT+CCLK's time minus the host machine's, seconds */
  char fota_pending[4300];      /* a package downloaded with upgrade_mode 0, for the next boot */
  int fota_pending_port;
  int fota_pending_up_max;
};

struct statedir;

void nv_default(struct nv *nv);
/* Loads nv.json over the defaults; a missing or unreadable file leaves the defaults. */
void nv_load(struct nv *nv, const struct statedir *sd);
int nv_save(const struct nv *nv, const struct statedir *sd);

#endif
