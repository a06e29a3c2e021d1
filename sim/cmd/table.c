/* table: THE command table. Every AT command the module answers is one row here: its
 * name as the parser reports it, and a handler for each form (test, read, write, execute).
 * A form without a handler answers ERROR; a name not here answers ERROR. */
#include "commands.h"

const struct at_command at_command_table[] = {
  /* V.250 basic commands ("S" carries the register number as its first parameter) */
  { "E", NULL, NULL, NULL, cmd_e },
  { "V", NULL, NULL, NULL, cmd_v },
  { "Q", NULL, NULL, NULL, cmd_q },
  { "X", NULL, NULL, NULL, cmd_x },
  { "Z", NULL, NULL, NULL, cmd_z },
  { "H", NULL, NULL, NULL, cmd_h },
  { "O", NULL, NULL, NULL, cmd_o },
  { "I", NULL, NULL, NULL, cmd_i },
  { "&C", NULL, NULL, NULL, cmd_and_c },
  { "&D", NULL, NULL, NULL, cmd_and_d },
  { "&F", NULL, NULL, NULL, cmd_and_f },
  { "&V", NULL, NULL, NULL, cmd_and_v },
  { "&W", NULL, NULL, NULL, cmd_and_w },
  { "S", cmd_s_test, cmd_s_read, cmd_s_write, NULL },
  /* settings */
  { "+CMEE", cmd_cmee_test, cmd_cmee_read, cmd_cmee_write, NULL },
  { "+IPR", cmd_ipr_test, cmd_ipr_read, cmd_ipr_write, NULL },
  { "+IFC", cmd_ifc_test, cmd_ifc_read, cmd_ifc_write, NULL },
  { "+ICF", cmd_icf_test, cmd_icf_read, cmd_icf_write, NULL },
  { "+CSCS", cmd_cscs_test, cmd_cscs_read, cmd_cscs_write, NULL },
  /* identity */
  { "+GMI", cmd_ok, NULL, NULL, cmd_cgmi },
  { "+CGMI", cmd_ok, NULL, NULL, cmd_cgmi },
  { "+GMM", cmd_ok, NULL, NULL, cmd_cgmm },
  { "+CGMM", cmd_ok, NULL, NULL, cmd_cgmm },
  { "+GMR", cmd_ok, NULL, NULL, cmd_cgmr },
  { "+CGMR", cmd_ok, NULL, NULL, cmd_cgmr },
  { "+QGMR", cmd_ok, NULL, NULL, cmd_qgmr },
  { "+GSN", cmd_ok, NULL, NULL, cmd_cgsn },
  { "+CGSN", cmd_ok, NULL, NULL, cmd_cgsn },
  { "+CIMI", cmd_ok, NULL, NULL, cmd_cimi },
  { "+QCCID", cmd_ok, NULL, NULL, cmd_qccid },
  { "+CRSM", cmd_ok, NULL, cmd_crsm_write, NULL },
  { "+GCAP", cmd_ok, NULL, NULL, cmd_gcap },
  /* power */
  { "+CFUN", cmd_cfun_test, cmd_cfun_read, cmd_cfun_write, NULL },
  { "+QPOWD", cmd_ok, NULL, cmd_qpowd, cmd_qpowd },
  /* SIM and network */
  { "+CPIN", cmd_ok, cmd_cpin_read, cmd_cpin_write, NULL },
  { "+CSQ", cmd_csq_test, NULL, NULL, cmd_csq },
  { "+CREG", cmd_reg_test, cmd_creg_read, cmd_creg_write, NULL },
  { "+CGREG", cmd_reg_test, cmd_creg_read, cmd_creg_write, NULL },
  { "+CEREG", cmd_reg_test, cmd_creg_read, cmd_creg_write, NULL },
  { "+COPS", cmd_cops_test, cmd_cops_read, cmd_cops_write, NULL },
  { "+CGATT", cmd_cgatt_test, cmd_cgatt_read, cmd_cgatt_write, NULL },
  { "+QNWINFO", cmd_ok, NULL, NULL, cmd_qnwinfo },
  { "+WS46", cmd_ws46_test, cmd_ws46_read, cmd_ws46_write, NULL },
  { "+CGEREP", cmd_cgerep_test, cmd_cgerep_read, cmd_cgerep_write, NULL },
  { "+CIND", cmd_cind_test, cmd_cind_read, NULL, NULL },
  /* data calls */
  { "+QICSGP", cmd_qicsgp_test, NULL, cmd_qicsgp_write, NULL },
  { "+QIACT", cmd_qiact_test, cmd_qiact_read, cmd_qiact_write, NULL },
  { "+QIDEACT", cmd_qideact_test, NULL, cmd_qideact_write, NULL },
  { "+CGDCONT", cmd_cgdcont_test, cmd_cgdcont_read, cmd_cgdcont_write, NULL },
  /* FOTA */
  { "+CGACT", cmd_cgact_test, cmd_cgact_read, cmd_cgact_write, NULL },
  { "+CGPADDR", cmd_cgpaddr_test, NULL, cmd_cgpaddr_write, cmd_cgpaddr_exec },
  /* sockets (TCP/IP note) */
  { "+QIOPEN", cmd_qiopen_test, NULL, cmd_qiopen_write, NULL },
  { "+QICLOSE", cmd_qiclose_test, NULL, cmd_qiclose_write, NULL },
  { "+QISEND", cmd_qisend_test, NULL, cmd_qisend_write, NULL },
  { "+QIRD", cmd_qird_test, NULL, cmd_qird_write, NULL },
  { "+QISTATE", cmd_qistate_test, cmd_qistate_read, cmd_qistate_write, cmd_qistate_exec },
  { "+QIGETERROR", cmd_ok, NULL, NULL, cmd_qigeterror_exec },
  { "+QISDE", cmd_qisde_test, cmd_qisde_read, cmd_qisde_write, NULL },
  { "+QIDNSGIP", cmd_qidnsgip_test, NULL, cmd_qidnsgip_write, NULL },
  { "+QISWTMD", cmd_qiswtmd_test, NULL, cmd_qiswtmd_write, NULL },
  { "+QICFG", cmd_qicfg_test, NULL, cmd_qicfg_write, NULL },
  { "+QIDNSCFG", cmd_qidnscfg_test, NULL, cmd_qidnscfg_write, NULL },
  { "+QPING", cmd_qping_test, NULL, cmd_qping_write, NULL },
  /* what host stacks ask and set at init */
  { "+CBC", cmd_ok, NULL, NULL, cmd_cbc_exec },
  { "+CCLK", cmd_cclk_test, cmd_cclk_read, cmd_cclk_write, NULL },
  { "+QLTS", cmd_qlts_test, NULL, cmd_qlts_exec, cmd_qlts_exec },
  { "+CPAS", cmd_cpas_test, NULL, NULL, cmd_cpas_exec },
  { "+QENG", cmd_qeng_test, NULL, cmd_qeng_write, NULL },
  { "+QURCCFG", cmd_qurccfg_test, NULL, cmd_qurccfg_write, NULL },
  { "+QSCLK", cmd_qsclk_test, cmd_qsclk_read, cmd_qsclk_write, NULL },
  { "+QDSIM", cmd_qdsim_test, cmd_qdsim_read, cmd_qdsim_write, NULL },
  { "+CPSMS", cmd_cpsms_test, cmd_cpsms_read, cmd_cpsms_write, NULL },
  { "+CEDRXS", cmd_cedrxs_test, cmd_cedrxs_read, cmd_cedrxs_write, NULL },
  { "+CCID", cmd_ok, NULL, NULL, cmd_ccid_exec },
  { "+ICCID", cmd_ok, NULL, NULL, cmd_ccid_exec },
  { "+QFOTADL", cmd_qfotadl_test, NULL, cmd_qfotadl_write, NULL },
  /* files */
  { "+QFLDS", cmd_qflds_test, NULL, cmd_qflds_write, cmd_qflds_exec },
  { "+QFLST", cmd_ok, NULL, cmd_qflst_write, cmd_qflst_exec },
  { "+QFDEL", cmd_ok, NULL, cmd_qfdel_write, NULL },
  { "+QFUPL", cmd_qfupl_test, NULL, cmd_qfupl_write, NULL },
  { "+QFDWL", cmd_ok, NULL, cmd_qfdwl_write, NULL },
  /* configuration */
  { "+QCFG", cmd_qcfg_test, NULL, cmd_qcfg_write, NULL },
  { "+QINDCFG", cmd_qindcfg_test, NULL, cmd_qindcfg_write, NULL },
};

const size_t at_command_count = sizeof(at_command_table) / sizeof(at_command_table[0]);
