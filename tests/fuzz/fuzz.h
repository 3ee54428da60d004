/*
 * fuzz.h - what the libFuzzer targets share: CHECK() aborts (which the
 * fuzzer reports as a finding) when an invariant does not hold.
 */

#include <stdio.h>
#include <stdlib.h>

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #e);					\
		abort();						\
	}								\
} while (0)

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
