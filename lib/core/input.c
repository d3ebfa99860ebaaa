#include <errno.h>
#include <string.h>

#include "input.h"
#include "interrupt.h"

int input_read(gzFile in, void *buf, unsigned size, const char **why)
{
	for (;;) {
		errno = 0;
		int n = gzread(in, buf, size);
		if (n > 0)
			return n;
		int zerr = Z_OK;
		const char *text = gzerror(in, &zerr);
		if (n == 0 && (zerr == Z_OK || zerr == Z_STREAM_END))
			return 0;
		if (zerr == Z_ERRNO && errno == EINTR) {
			if (interrupt_requested())
				return 0;
			gzclearerr(in);
			continue;
		}
		*why = zerr == Z_ERRNO ? strerror(errno) : text;
		return -1;
	}
}
