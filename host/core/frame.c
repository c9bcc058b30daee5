#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecm/frame.h"

/* Reads exactly len bytes. Returns len, fewer on end of input, or -1 on error. */
static ssize_t
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ecm_frame_status
ecm_frame_read(int fd, size_t max, char **out, size_t *len)
{
	uint32_t announced;
	ssize_t n;
	char *buf;

	*out = NULL;
	*len = 0;
	n = read_full(fd, &announced, sizeof(announced));
	if (n < 0)
		return ECM_FRAME_IO_ERROR;
	if (n == 0)
		return ECM_FRAME_EOF;
	if ((size_t)n < sizeof(announced))
		return ECM_FRAME_TRUNCATED;
	if (announced > max)
		return ECM_FRAME_TOO_LARGE;
	buf = malloc((size_t)announced + 1);
	if (buf == NULL)
		return ECM_FRAME_NO_MEMORY;
	n = read_full(fd, buf, announced);
	if (n < 0) {
		free(buf);
		return ECM_FRAME_IO_ERROR;
	}
	if ((size_t)n < announced) {
		free(buf);
		return ECM_FRAME_TRUNCATED;
	}
	buf[announced] = '\0';
	*out = buf;
	*len = announced;
	return ECM_FRAME_OK;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int
ecm_frame_write(int fd, const char *buf, size_t len)
{
	uint32_t header;

	if (len > ECM_FRAME_OUT_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	header = (uint32_t)len;
	if (write_full(fd, &header, sizeof(header)) != 0)
		return -1;
	return write_full(fd, buf, len);
}
