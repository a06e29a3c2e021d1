/* fault_words: the words of a fault rule's enumerated fields, in their enums' order and
 * NULL-terminated: what scenario files and injected rules say, and how a fired rule is named. */
#ifndef FOTASIM_FAULT_WORDS_H
#define FOTASIM_FAULT_WORDS_H

extern const char *const fault_phase_words[];   /* enum fault_phase from FAULT_DATACALL */
extern const char *const fault_socket_words[];  /* enum fault_socket from CONNECT */
extern const char *const fault_http_words[];
extern const char *const fault_mqtt_words[];
extern const char *const fault_sms_words[];
extern const char *const fault_ntp_words[];
extern const char *const fault_call_words[];
extern const char *const fault_output_words[];  /* enum output_fault from OUTPUT_DELAY (1) */
extern const char *const fault_port_words[];    /* enum port_id: main, usb */

#endif
