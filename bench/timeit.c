/*
 * timeit: runs a command and reports its own elapsed CLOCK_MONOTONIC time in nanoseconds.
 *
 *   timeit [-o FILE] PROGRAM [ARG...]
 *
 * The clock is read inside the (possibly traced) process tree, just before fork and just after the
 * child is reaped, so a tracer's start-up and tear-down are left out of the figure. The result goes to
 * FILE (-o), else to the file named by $TIMEIT_OUT, else to stderr; a file is the robust choice because
 * the workload's own stdout/stderr may be noisy. Exit status: the command's, or 127 when it cannot run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *out = getenv("TIMEIT_OUT");
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-o") == 0) {
        out = argv[2];
        first = 3;
    }

    if (first >= argc) {
        fprintf(stderr, "usage: timeit [-o FILE] PROGRAM [ARG...]\n");
        return 127;
    }

    long long start = now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        perror("timeit: fork");
        return 127;
    }

    if (pid == 0) {
        execvp(argv[first], &argv[first]);
        fprintf(stderr, "timeit: cannot run %s: %s\n", argv[first], strerror(errno));
        _exit(127);
    }

    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("timeit: waitpid");
            return 127;
        }
    }

    long long elapsed = now_ns() - start;

    FILE *f = out && *out ? fopen(out, "w") : stderr;
    if (f == NULL) {
        fprintf(stderr, "timeit: cannot write %s: %s\n", out, strerror(errno));
        return 127;
    }

    fprintf(f, "%lld\n", elapsed);
    if (f != stderr) {
        fclose(f);
    }

    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }

    return 128 + WTERMSIG(status);
}
