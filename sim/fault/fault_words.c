/* fault_words: the words of a fault rule's enumerated fields (see fault_words.h). */
#include "fault_words.h"

#include <stddef.h>

const char *const fault_phase_words[] = { "datacall", "connect", "download", "verify", "update",
                                          "reboot", NULL };
const char *const fault_socket_words[] = { "connect", "send", "receive", NULL };
const char *const fault_http_words[] = { "request", NULL };
const char *const fault_mqtt_words[] = { "open", "connect", "publish", NULL };
const char *const fault_sms_words[] = { "send", NULL };
const char *const fault_ntp_words[] = { "query", NULL };
const char *const fault_call_words[] = { "dial", "data", NULL };
const char *const fault_output_words[] = { "delay", "drop", "split", NULL };
const char *const fault_port_words[] = { "main", "usb", NULL };
