#include <string.h>

#include "caller.h"

const char *
ecm_caller_from_argv(int argc, char **argv)
{
	if (argc >= 2 && strncmp(argv[1], "chrome-extension://", 19) == 0)
		return argv[1];
	if (argc >= 3 && argv[2][0] != '\0' && strncmp(argv[2], "--", 2) != 0)
		return argv[2];
	return NULL;
}
