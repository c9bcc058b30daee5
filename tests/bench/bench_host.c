/* Start-up cost of ecm-host as the browser pays it: spawn, one framed hello, read the reply, exit.
 * Prints wall-clock milliseconds (median, p95, max) and peak RSS (KiB) over N runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One connection: returns wall ms, stores the child's peak RSS. */
static double
one_run(const char *host, const char *request, long *rss_kib)
{
	int in[2], out[2], status;
	uint32_t len = (uint32_t)strlen(request);
	struct rusage ru;
	char buf[4096];
	double start = now_ms();
	pid_t pid;

	if (pipe(in) != 0 || pipe(out) != 0)
		exit(1);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(host, host, "chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], &len, 4) != 4 || write(in[1], request, len) != (ssize_t)len)
		exit(1);
	close(in[1]);
	while (read(out[0], buf, sizeof(buf)) > 0)
		;
	close(out[0]);
	wait4(pid, &status, 0, &ru);
	*rss_kib = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: host failed\n");
		exit(1);
	}
	return now_ms() - start;
}

int
main(int argc, char **argv)
{
	const char *host = argc > 1 ? argv[1] : "build/ecm-host";
	const char *cmd = argc > 2 ? argv[2] : "hello";
	int n = argc > 3 ? atoi(argv[3]) : 200, i;
	double *ms = calloc((size_t)n, sizeof(double));
	long rss, max_rss = 0;
	char req[256];

	if (ms == NULL || n < 1)
		return 1;
	snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"%s\"}", cmd);
	for (i = 0; i < n; i++) {
		ms[i] = one_run(host, req, &rss);
		if (rss > max_rss)
			max_rss = rss;
	}
	qsort(ms, (size_t)n, sizeof(double), cmp_double);
	printf("%-12s runs=%d median=%.2fms p95=%.2fms max=%.2fms peak_rss=%ldKiB\n", cmd, n, ms[n / 2],
	    ms[(int)(n * 0.95)], ms[n - 1], max_rss);
	free(ms);
	return 0;
}
