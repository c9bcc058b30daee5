/* Framing: split reads, short writes, zero length, oversized and truncated frames. Real pipes. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecm/frame.h"

typedef struct {
	int fd;
	const unsigned char *data;
	size_t len;
	size_t chunk; /* bytes per write, to force split reads */
} feeder;

static void *
feed(void *arg)
{
	feeder *f = arg;
	size_t off = 0;

	while (off < f->len) {
		size_t n = f->len - off < f->chunk ? f->len - off : f->chunk;
		if (write(f->fd, f->data + off, n) != (ssize_t)n)
			break;
		off += n;
		usleep(200);
	}
	close(f->fd);
	return NULL;
}

/* Runs the reader against bytes written chunk by chunk from another thread. */
static ecm_frame_status
read_from(const void *bytes, size_t len, size_t chunk, size_t max, char **out, size_t *out_len)
{
	int p[2];
	pthread_t t;
	feeder f;
	ecm_frame_status st;

	assert_int_equal(pipe(p), 0);
	f = (feeder){ p[1], bytes, len, chunk };
	assert_int_equal(pthread_create(&t, NULL, feed, &f), 0);
	st = ecm_frame_read(p[0], max, out, out_len);
	pthread_join(t, NULL);
	close(p[0]);
	return st;
}

static size_t
make_frame(unsigned char *buf, const char *json)
{
	uint32_t n = (uint32_t)strlen(json);

	memcpy(buf, &n, 4);
	memcpy(buf + 4, json, n);
	return 4 + n;
}

static void
reads_whole_frame_in_one_piece(void **state)
{
	unsigned char buf[64];
	size_t len = make_frame(buf, "{\"id\":1}"), got;
	char *out;

	(void)state;
	assert_int_equal(read_from(buf, len, len, 1024, &out, &got), ECM_FRAME_OK);
	assert_int_equal(got, 8);
	assert_string_equal(out, "{\"id\":1}");
	free(out);
}

static void
reads_frame_split_into_single_bytes(void **state)
{
	unsigned char buf[64];
	size_t len = make_frame(buf, "{\"cmd\":\"hello\"}"), got;
	char *out;

	(void)state;
	assert_int_equal(read_from(buf, len, 1, 1024, &out, &got), ECM_FRAME_OK);
	assert_string_equal(out, "{\"cmd\":\"hello\"}");
	free(out);
}

static void
zero_length_frame_is_an_empty_message(void **state)
{
	unsigned char buf[4] = { 0, 0, 0, 0 };
	size_t got = 99;
	char *out;

	(void)state;
	assert_int_equal(read_from(buf, 4, 4, 1024, &out, &got), ECM_FRAME_OK);
	assert_int_equal(got, 0);
	assert_string_equal(out, "");
	free(out);
}

static void
huge_announced_length_is_refused_without_allocating(void **state)
{
	unsigned char buf[4] = { 0xff, 0xff, 0xff, 0xff };
	size_t got;
	char *out = (char *)1;

	(void)state;
	assert_int_equal(read_from(buf, 4, 4, ECM_FRAME_IN_MAX, &out, &got), ECM_FRAME_TOO_LARGE);
	assert_null(out);
}

static void
end_of_input_inside_header_is_truncated(void **state)
{
	unsigned char buf[2] = { 5, 0 };
	size_t got;
	char *out;

	(void)state;
	assert_int_equal(read_from(buf, 2, 1, 1024, &out, &got), ECM_FRAME_TRUNCATED);
	assert_null(out);
}

static void
end_of_input_inside_body_is_truncated(void **state)
{
	unsigned char buf[64];
	size_t len = make_frame(buf, "{\"id\":12345}"), got;
	char *out;

	(void)state;
	assert_int_equal(read_from(buf, len - 3, 2, 1024, &out, &got), ECM_FRAME_TRUNCATED);
	assert_null(out);
}

static void
end_of_input_between_frames_is_eof(void **state)
{
	size_t got;
	char *out;

	(void)state;
	assert_int_equal(read_from("", 0, 1, 1024, &out, &got), ECM_FRAME_EOF);
}

static void
limit_is_inclusive(void **state)
{
	unsigned char buf[64];
	size_t len = make_frame(buf, "0123456789"), got;
	char *out = NULL;

	(void)state;
	assert_int_equal(read_from(buf, len, len, 10, &out, &got), ECM_FRAME_OK);
	free(out);
	assert_int_equal(read_from(buf, len, len, 9, &out, &got), ECM_FRAME_TOO_LARGE);
}

/* 900 KiB is many pipe buffers: the writer blocks and resumes until the reader has it all. */
static void *
drain(void *arg)
{
	int fd = *(int *)arg;
	char *out;
	size_t len;
	static size_t seen;

	if (ecm_frame_read(fd, ECM_FRAME_OUT_MAX, &out, &len) == ECM_FRAME_OK) {
		seen = len;
		free(out);
	}
	return &seen;
}

static void
writes_large_frame_across_many_pipe_buffers(void **state)
{
	size_t n = 900 * 1024;
	char *big = malloc(n);
	pthread_t t;
	void *seen;
	int p[2];

	(void)state;
	memset(big, 'x', n);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pthread_create(&t, NULL, drain, &p[0]), 0);
	assert_int_equal(ecm_frame_write(p[1], big, n), 0);
	close(p[1]);
	pthread_join(t, &seen);
	assert_int_equal(*(size_t *)seen, n);
	close(p[0]);
	free(big);
}

static void
refuses_to_write_over_chrome_limit(void **state)
{
	size_t n = ECM_FRAME_OUT_MAX + 1;
	char *big = calloc(1, n);
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(ecm_frame_write(p[1], big, n), -1);
	assert_int_equal(errno, EMSGSIZE);
	close(p[0]);
	close(p[1]);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_whole_frame_in_one_piece),
		cmocka_unit_test(reads_frame_split_into_single_bytes),
		cmocka_unit_test(zero_length_frame_is_an_empty_message),
		cmocka_unit_test(huge_announced_length_is_refused_without_allocating),
		cmocka_unit_test(end_of_input_inside_header_is_truncated),
		cmocka_unit_test(end_of_input_inside_body_is_truncated),
		cmocka_unit_test(end_of_input_between_frames_is_eof),
		cmocka_unit_test(limit_is_inclusive),
		cmocka_unit_test(writes_large_frame_across_many_pipe_buffers),
		cmocka_unit_test(refuses_to_write_over_chrome_limit),
	};
	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
