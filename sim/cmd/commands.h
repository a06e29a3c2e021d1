/* commands: the handlers behind the command table (table.c), grouped by the file that
 * implements them, and the helpers they share. */
#ifndef FOTASIM_COMMANDS_H
#define FOTASIM_COMMANDS_H

#include "at_session.h"
#include "errors.h"
#include "module.h"

static inline struct module_port *call_port(struct at_call *call)
{
  return call->user;
}

static inline struct module *call_module(struct at_call *call)
{
  return call_port(call)->m;
}

/* The command table (table.c), handed to each module in its config. */
extern const struct at_command at_command_table[];
extern const size_t at_command_count;

/* A basic command's number (ATE1): 0 when omitted; -1 when out of [0, max]. */
long basic_number(struct at_call *call, long max);

/* cmd_v250.c */
int cmd_e(struct at_call *c);
int cmd_v(struct at_call *c);
int cmd_q(struct at_call *c);
int cmd_x(struct at_call *c);
int cmd_z(struct at_call *c);
int cmd_h(struct at_call *c);
int cmd_and_c(struct at_call *c);
int cmd_and_d(struct at_call *c);
int cmd_and_f(struct at_call *c);
int cmd_and_v(struct at_call *c);
int cmd_and_w(struct at_call *c);
int cmd_s_read(struct at_call *c);
int cmd_s_write(struct at_call *c);
int cmd_s_test(struct at_call *c);
int cmd_cmee_read(struct at_call *c);
int cmd_cmee_write(struct at_call *c);
int cmd_cgauth_test(struct at_call *c);
int cmd_cgauth_read(struct at_call *c);
int cmd_cgauth_write(struct at_call *c);
int cmd_d(struct at_call *c);
int cmd_cgdata_test(struct at_call *c);
int cmd_cgdata_write(struct at_call *c);
/* A PPP data call on the port (cmd_datacall.c): ATO back online, ATH hung up; 1 if there was
 * one. */
int datacall_online(struct at_call *c);
int datacall_hangup(struct at_call *c);
int cmd_cmux_test(struct at_call *c);
int cmd_cmux_read(struct at_call *c);
int cmd_cmux_write(struct at_call *c);
int cmd_cmee_test(struct at_call *c);
int cmd_ipr_read(struct at_call *c);
int cmd_ipr_write(struct at_call *c);
int cmd_ipr_test(struct at_call *c);
int cmd_ifc_read(struct at_call *c);
int cmd_ifc_write(struct at_call *c);
int cmd_ifc_test(struct at_call *c);
int cmd_icf_read(struct at_call *c);
int cmd_icf_write(struct at_call *c);
int cmd_icf_test(struct at_call *c);
int cmd_cscs_read(struct at_call *c);
int cmd_cscs_write(struct at_call *c);
int cmd_cscs_test(struct at_call *c);
int cmd_ok(struct at_call *c);

/* cmd_identity.c */
int cmd_i(struct at_call *c);
int cmd_cgmi(struct at_call *c);
int cmd_cgmm(struct at_call *c);
int cmd_cgmr(struct at_call *c);
int cmd_qgmr(struct at_call *c);
int cmd_cgsn(struct at_call *c);
int cmd_cimi(struct at_call *c);
int cmd_qccid(struct at_call *c);
int cmd_crsm_write(struct at_call *c);
int cmd_gcap(struct at_call *c);

/* cmd_power.c */
int cmd_cfun_read(struct at_call *c);
int cmd_cfun_write(struct at_call *c);
int cmd_cfun_test(struct at_call *c);
int cmd_qpowd(struct at_call *c);

/* cmd_network.c */
int cmd_cpin_read(struct at_call *c);
int cmd_cpin_write(struct at_call *c);
int cmd_csq(struct at_call *c);
int cmd_csq_test(struct at_call *c);
int cmd_creg_read(struct at_call *c);
int cmd_creg_write(struct at_call *c);
int cmd_reg_test(struct at_call *c);
int cmd_cops_read(struct at_call *c);
int cmd_cops_write(struct at_call *c);
int cmd_cops_test(struct at_call *c);
int cmd_cgatt_read(struct at_call *c);
int cmd_cgatt_write(struct at_call *c);
int cmd_cgatt_test(struct at_call *c);
int cmd_qnwinfo(struct at_call *c);
int cmd_ws46_read(struct at_call *c);
int cmd_ws46_write(struct at_call *c);
int cmd_ws46_test(struct at_call *c);
int cmd_cgerep_read(struct at_call *c);
int cmd_cgerep_write(struct at_call *c);
int cmd_cgerep_test(struct at_call *c);
int cmd_cind_read(struct at_call *c);
int cmd_cind_test(struct at_call *c);

/* cmd_pdp.c */
int cmd_qicsgp_write(struct at_call *c);
int cmd_qicsgp_test(struct at_call *c);
int cmd_qiact_read(struct at_call *c);
int cmd_qiact_write(struct at_call *c);
int cmd_qiact_test(struct at_call *c);
int cmd_qideact_write(struct at_call *c);
int cmd_qideact_test(struct at_call *c);
int cmd_cgdcont_read(struct at_call *c);
int cmd_cgdcont_write(struct at_call *c);
int cmd_cgdcont_test(struct at_call *c);
int cmd_cgact_read(struct at_call *c);
int cmd_cgact_write(struct at_call *c);
int cmd_cgact_test(struct at_call *c);
int cmd_cgpaddr_exec(struct at_call *c);
int cmd_cgpaddr_write(struct at_call *c);
int cmd_cgpaddr_test(struct at_call *c);

/* cmd_device.c */
int cmd_cbc_exec(struct at_call *c);
int cmd_cclk_read(struct at_call *c);
int cmd_cclk_write(struct at_call *c);
int cmd_cclk_test(struct at_call *c);
int cmd_qlts_exec(struct at_call *c);
int cmd_qlts_test(struct at_call *c);
int cmd_cpas_exec(struct at_call *c);
int cmd_cpas_test(struct at_call *c);
int cmd_qeng_write(struct at_call *c);
int cmd_qeng_test(struct at_call *c);
int cmd_qurccfg_write(struct at_call *c);
int cmd_qurccfg_test(struct at_call *c);
int cmd_qsclk_read(struct at_call *c);
int cmd_qsclk_write(struct at_call *c);
int cmd_qsclk_test(struct at_call *c);
int cmd_qdsim_read(struct at_call *c);
int cmd_qdsim_write(struct at_call *c);
int cmd_qdsim_test(struct at_call *c);
int cmd_cpsms_write(struct at_call *c);
int cmd_cpsms_read(struct at_call *c);
int cmd_cpsms_test(struct at_call *c);
int cmd_cedrxs_write(struct at_call *c);
int cmd_cedrxs_read(struct at_call *c);
int cmd_cedrxs_test(struct at_call *c);
int cmd_ccid_exec(struct at_call *c);

/* cmd_socket.c */
int cmd_qiopen_write(struct at_call *c);
int cmd_qiopen_test(struct at_call *c);
int cmd_qiclose_write(struct at_call *c);
int cmd_qiclose_test(struct at_call *c);
int cmd_qisend_write(struct at_call *c);
int cmd_qisend_test(struct at_call *c);
int cmd_qird_write(struct at_call *c);
int cmd_qird_test(struct at_call *c);
int cmd_qistate_read(struct at_call *c);
int cmd_qistate_exec(struct at_call *c);
int cmd_qistate_write(struct at_call *c);
int cmd_qistate_test(struct at_call *c);
int cmd_qigeterror_exec(struct at_call *c);
int cmd_qisde_read(struct at_call *c);
int cmd_qisde_write(struct at_call *c);
int cmd_qisde_test(struct at_call *c);
int cmd_qidnsgip_write(struct at_call *c);
int cmd_qidnsgip_test(struct at_call *c);
int cmd_o(struct at_call *c);
int cmd_qicfg_write(struct at_call *c);
int cmd_qicfg_test(struct at_call *c);
int cmd_qidnscfg_write(struct at_call *c);
int cmd_qidnscfg_test(struct at_call *c);
int cmd_qping_write(struct at_call *c);
int cmd_qping_test(struct at_call *c);
int cmd_qiswtmd_write(struct at_call *c);
int cmd_qiswtmd_test(struct at_call *c);
/* Shared with cmd_ssl.c: an open's answer (transparent mode waits for CONNECT), the "> "
 * prompt and data of a send, a socket's state line. */
int socket_open_answer(struct at_call *c, int rc, int id, int mode);
int socket_send_begin(struct at_call *c, int id, size_t len, const char *ip, int port);
void socket_state_line(struct at_call *c, const struct net *n, const struct net_socket *s);

/* cmd_ssl.c */
int cmd_qsslcfg_write(struct at_call *c);
int cmd_qsslcfg_test(struct at_call *c);
int cmd_qsslopen_write(struct at_call *c);
int cmd_qsslopen_test(struct at_call *c);
int cmd_qsslsend_write(struct at_call *c);
int cmd_qsslsend_test(struct at_call *c);
int cmd_qsslrecv_write(struct at_call *c);
int cmd_qsslrecv_test(struct at_call *c);
int cmd_qsslclose_write(struct at_call *c);
int cmd_qsslclose_test(struct at_call *c);
int cmd_qsslstate_read(struct at_call *c);

/* cmd_device.c: time */
int cmd_ctzu_write(struct at_call *c);
int cmd_ctzu_read(struct at_call *c);
int cmd_ctzu_test(struct at_call *c);
int cmd_qntp_write(struct at_call *c);
int cmd_qntp_test(struct at_call *c);

/* cmd_mqtt.c */
int cmd_qmtcfg_write(struct at_call *c);
int cmd_qmtcfg_test(struct at_call *c);
int cmd_qmtopen_write(struct at_call *c);
int cmd_qmtopen_read(struct at_call *c);
int cmd_qmtopen_test(struct at_call *c);
int cmd_qmtclose_write(struct at_call *c);
int cmd_qmtconn_write(struct at_call *c);
int cmd_qmtconn_read(struct at_call *c);
int cmd_qmtconn_test(struct at_call *c);
int cmd_qmtdisc_write(struct at_call *c);
int cmd_qmtsub_write(struct at_call *c);
int cmd_qmtuns_write(struct at_call *c);
int cmd_qmtpubex_write(struct at_call *c);
int cmd_qmtpubex_test(struct at_call *c);
int cmd_qmtpub_write(struct at_call *c);
int cmd_qmtpub_test(struct at_call *c);
int cmd_qmtrecv_test(struct at_call *c);
int cmd_qmtrecv_read(struct at_call *c);
int cmd_qmtrecv_write(struct at_call *c);

/* cmd_sms.c */
int cmd_cmgf_write(struct at_call *c);
int cmd_cmgf_read(struct at_call *c);
int cmd_cmgf_test(struct at_call *c);
int cmd_csca_write(struct at_call *c);
int cmd_csca_read(struct at_call *c);
int cmd_csmp_write(struct at_call *c);
int cmd_csmp_read(struct at_call *c);
int cmd_cnmi_write(struct at_call *c);
int cmd_cnmi_read(struct at_call *c);
int cmd_cnmi_test(struct at_call *c);
int cmd_cpms_write(struct at_call *c);
int cmd_cpms_read(struct at_call *c);
int cmd_cpms_test(struct at_call *c);
int cmd_csdh_write(struct at_call *c);
int cmd_csdh_read(struct at_call *c);
int cmd_cmgr_write(struct at_call *c);
int cmd_cmgl_write(struct at_call *c);
int cmd_cmgl_exec(struct at_call *c);
int cmd_cmgl_test(struct at_call *c);
int cmd_cmgd_write(struct at_call *c);
int cmd_cmgd_test(struct at_call *c);
int cmd_cmgs_write(struct at_call *c);
int cmd_cmgs_test(struct at_call *c);
/* cmd_ftp.c */
int cmd_qftpcfg_write(struct at_call *c);
int cmd_qftpcfg_test(struct at_call *c);
int cmd_qftpopen_write(struct at_call *c);
int cmd_qftpopen_test(struct at_call *c);
int cmd_qftpclose_exec(struct at_call *c);
int cmd_qftpcwd_write(struct at_call *c);
int cmd_qftppwd_exec(struct at_call *c);
int cmd_qftpsize_write(struct at_call *c);
int cmd_qftpmdtm_write(struct at_call *c);
int cmd_qftpdel_write(struct at_call *c);
int cmd_qftpmkdir_write(struct at_call *c);
int cmd_qftprmdir_write(struct at_call *c);
int cmd_qftprename_write(struct at_call *c);
int cmd_qftpget_write(struct at_call *c);
int cmd_qftpget_test(struct at_call *c);
int cmd_qftpput_write(struct at_call *c);
int cmd_qftpput_test(struct at_call *c);
int cmd_qftplist_write(struct at_call *c);
int cmd_qftplist_exec(struct at_call *c);
int cmd_qftpnlst_write(struct at_call *c);
int cmd_qftpnlst_exec(struct at_call *c);
int cmd_qftpstat_exec(struct at_call *c);
int cmd_qftplen_exec(struct at_call *c);
/* cmd_http.c */
int cmd_qhttpcfg_write(struct at_call *c);
int cmd_qhttpcfg_read(struct at_call *c);
int cmd_qhttpcfg_test(struct at_call *c);
int cmd_qhttpurl_write(struct at_call *c);
int cmd_qhttpurl_read(struct at_call *c);
int cmd_qhttpurl_test(struct at_call *c);
int cmd_qhttpget_write(struct at_call *c);
int cmd_qhttpget_exec(struct at_call *c);
int cmd_qhttpget_test(struct at_call *c);
int cmd_qhttppost_write(struct at_call *c);
int cmd_qhttppost_test(struct at_call *c);
int cmd_qhttppostfile_write(struct at_call *c);
int cmd_qhttppostfile_test(struct at_call *c);
int cmd_qhttpread_write(struct at_call *c);
int cmd_qhttpread_exec(struct at_call *c);
int cmd_qhttpread_test(struct at_call *c);
int cmd_qhttpreadfile_write(struct at_call *c);
int cmd_qhttpreadfile_test(struct at_call *c);
int cmd_qhttpstop_exec(struct at_call *c);
int cmd_qsslstate_write(struct at_call *c);
int cmd_qsslstate_test(struct at_call *c);

/* cmd_fota.c */
int cmd_qfotadl_write(struct at_call *c);
int cmd_qfotadl_test(struct at_call *c);

/* cmd_file.c */
int cmd_qflds_exec(struct at_call *c);
int cmd_qflds_write(struct at_call *c);
int cmd_qflds_test(struct at_call *c);
int cmd_qflst_exec(struct at_call *c);
int cmd_qflst_write(struct at_call *c);
int cmd_qfdel_write(struct at_call *c);
int cmd_qfupl_write(struct at_call *c);
int cmd_qfupl_test(struct at_call *c);
int cmd_qfdwl_write(struct at_call *c);

/* cmd_config.c */
int cmd_qcfg_write(struct at_call *c);
int cmd_qcfg_test(struct at_call *c);
int cmd_qindcfg_write(struct at_call *c);
int cmd_qindcfg_test(struct at_call *c);

#endif
