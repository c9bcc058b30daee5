/* The frame reader (host/core/frame.c) on any byte stream: every status is the one the bytes call for, an OK frame
 * is exactly the announced bytes (NUL-terminated), and writing it back with ecm_frame_write reads the same. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ecm/frame.h"
#include "fuzz_common.h"

#define FUZZ_FRAME_MAX (64u * 1024u)

static int
stream_of(const void *data, size_t len)
{
	int fd = memfd_create("ecm-fuzz-frame", MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0, "memfd_create");
	FUZZ_CHECK(len == 0 || write(fd, data, len) == (ssize_t)len, "memfd write");
	FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "memfd rewind");
	return fd;
}

static void
check_round_trip(const char *msg, size_t len)
{
	int fd = memfd_create("ecm-fuzz-frame-out", MFD_CLOEXEC);
	char *again = NULL;
	size_t again_len = 0;

	FUZZ_CHECK(fd >= 0, "memfd_create");
	FUZZ_CHECK(ecm_frame_write(fd, msg, len) == 0, "a frame under the outbound limit can be written");
	FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "memfd rewind");
	FUZZ_CHECK(ecm_frame_read(fd, len, &again, &again_len) == ECM_FRAME_OK, "what was written reads back");
	FUZZ_CHECK(again_len == len && memcmp(again, msg, len) == 0, "the same bytes come back");
	free(again);
	close(fd);
}

/* What the stream at data[off..size) must give: the status, and for OK the message length. */
static ecm_frame_status
expected(const uint8_t *data, size_t size, size_t off, size_t max, uint32_t *announced)
{
	size_t left = size - off;

	if (left == 0)
		return ECM_FRAME_EOF;
	if (left < sizeof(*announced))
		return ECM_FRAME_TRUNCATED;
	memcpy(announced, data + off, sizeof(*announced)); /* native byte order, as the browser writes it */
	if (*announced > max)
		return ECM_FRAME_TOO_LARGE;
	if (*announced > left - sizeof(*announced))
		return ECM_FRAME_TRUNCATED;
	return ECM_FRAME_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = stream_of(data, size);
	size_t off = 0;

	for (;;) {
		uint32_t announced = 0;
		ecm_frame_status want = expected(data, size, off, FUZZ_FRAME_MAX, &announced);
		char *msg = NULL;
		size_t len = 0;
		ecm_frame_status got = ecm_frame_read(fd, FUZZ_FRAME_MAX, &msg, &len);

		FUZZ_CHECK(got == want, "the status the bytes call for");
		if (got != ECM_FRAME_OK) {
			FUZZ_CHECK(msg == NULL && len == 0, "nothing handed out without a frame");
			break;
		}
		FUZZ_CHECK(len == announced && msg[len] == '\0', "the announced length, NUL-terminated");
		FUZZ_CHECK(memcmp(msg, data + off + sizeof(announced), len) == 0, "the bytes of the stream");
		check_round_trip(msg, len);
		free(msg);
		off += sizeof(announced) + len;
	}
	close(fd);
	return 0;
}
