/* fuzz: the interface of each fuzz target (AT interpreter, package parser, scenario loader).
 * libfuzzer.c drives a target under libFuzzer (clang, -Dfuzz=true, tools/fuzz); standalone.c
 * drives it in every normal test run over its seeds and deterministic mutations of them. */
#ifndef FOTASIM_FUZZ_H
#define FOTASIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Once, before any input. */
void fuzz_init(void);
/* One input: must never crash, leak or misbehave, whatever the bytes. */
void fuzz_one(const uint8_t *data, size_t len);
/* Good inputs to start from, each passed to emit. */
void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len));

#endif
