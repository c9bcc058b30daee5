/* Native-messaging framing: uint32 length in native byte order, then that many bytes of UTF-8 JSON. */
#ifndef ECM_FRAME_H
#define ECM_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define ECM_FRAME_OUT_MAX (1024u * 1024u)    /* Chrome refuses larger messages from a host */
#define ECM_FRAME_IN_MAX (8u * 1024u * 1024u) /* default inbound limit */

typedef enum {
	ECM_FRAME_OK,
	ECM_FRAME_EOF,       /* clean end of input before a frame */
	ECM_FRAME_TRUNCATED, /* end of input inside a frame */
	ECM_FRAME_TOO_LARGE, /* announced length over the limit; nothing was allocated */
	ECM_FRAME_IO_ERROR,
	ECM_FRAME_NO_MEMORY
} ecm_frame_status;

/* Reads one frame; on ECM_FRAME_OK *out is a NUL-terminated malloc'd buffer of *len bytes. */
ecm_frame_status ecm_frame_read(int fd, size_t max, char **out, size_t *len);

/* Writes one frame, retrying short writes and EINTR. Returns 0, or -1 with errno set. */
int ecm_frame_write(int fd, const char *buf, size_t len);

#endif
