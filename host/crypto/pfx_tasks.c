/* The key derivations of one .pfx are independent of each other (the MAC's, each encrypted safe's, each
 * shrouded key's): each is a task on a thread of its own, as many at once as the machine has cores. A task that
 * gets no thread runs on the caller's, so a busy or thread-less system reads and writes files all the same. */
#include <pthread.h>

#include <prsystem.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "ecm/secmem.h"
#include "pfx_int.h"

/* A derivation leaves key material in its stack frames (OpenSSL cleanses its own buffers, not every copy a
 * compiler makes): before the thread's stack goes back to the allocator, the part those frames used is wiped. */
#define TASK_STACK_WIPE (32u * 1024u)

static __attribute__((noinline)) void
wipe_stack(void)
{
	unsigned char frames[TASK_STACK_WIPE];

	ecm_wipe(frames, sizeof(frames));
}

static void *
task_main(void *arg)
{
	pfx_task *t = arg;

	t->run(t);
	ERR_clear_error();
	OPENSSL_thread_stop(); /* its error queue and per-thread caches, now rather than at exit */
	wipe_stack();
	return NULL;
}

int
pfx_task_slots(void)
{
	PRInt32 n = PR_GetNumberOfProcessors(); /* NSPR's: the same call on every system */

	return n < 1 ? 1 : n > PFX_TASKS_MAX ? PFX_TASKS_MAX : (int)n;
}

void
pfx_task_start(pfx_task *t)
{
	t->started = pthread_create(&t->thread, NULL, task_main, t) == 0;
}

void
pfx_task_finish(pfx_task *t)
{
	if (t->finished)
		return;
	if (t->started)
		pthread_join(t->thread, NULL);
	else
		t->run(t);
	t->finished = 1;
}
