/* The floor for start-up: a native-messaging host that does nothing but read one frame (4-byte native-endian
 * length, then the JSON) and write a fixed reply frame. Dynamically linked against libc only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	static const char reply[] = "{\"id\":1,\"ok\":true,\"result\":{}}";
	uint32_t len, out = (uint32_t)strlen(reply);
	char *msg;

	if (fread(&len, 4, 1, stdin) != 1 || len > 1024 * 1024 || (msg = malloc(len ? len : 1)) == NULL ||
	    fread(msg, 1, len, stdin) != len)
		return 1;
	free(msg);
	fwrite(&out, 4, 1, stdout);
	fwrite(reply, 1, out, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
