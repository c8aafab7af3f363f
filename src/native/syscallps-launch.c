/*
 * syscallps-launch: the stop-before-exec launcher of SyscallPS.
 *
 * The tracer starts this program with posix_spawn (so the .NET runtime is never forked by hand). It
 * stops itself with SIGSTOP, which lets the tracer PTRACE_SEIZE it (or register it with the eBPF
 * engine) before the target program runs a single instruction. Once continued, it optionally installs
 * a seccomp-bpf filter that makes only the traced syscalls stop the tracee (SECCOMP_RET_TRACE), then
 * execs the target. Usage:
 *
 *   syscallps-launch [--seccomp HEX] [--cwd DIR] -- PATH ARGV0 [ARG...]
 *   syscallps-launch --pause        (a sentinel child the tracer kills to wake its wait4)
 *
 * HEX is the filter as struct sock_filter records (8 bytes each, native byte order), hex-encoded.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int install_filter(const char *hex)
{
    size_t len = strlen(hex);
    if (len == 0 || len % 16 != 0) {
        fprintf(stderr, "syscallps-launch: malformed seccomp filter\n");
        return -1;
    }
    unsigned char *bytes = malloc(len / 2);
    if (!bytes) return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "syscallps-launch: malformed seccomp filter\n");
            return -1;
        }
        bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    struct sock_fprog prog = { .len = (unsigned short)(len / 16), .filter = (struct sock_filter *)bytes };
    /* Unprivileged callers need no_new_privs to install a filter; root keeps set-uid semantics. */
    if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("syscallps-launch: prctl(PR_SET_NO_NEW_PRIVS)");
        return -1;
    }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        perror("syscallps-launch: seccomp");
        return -1;
    }
    free(bytes);
    return 0;
}

int main(int argc, char **argv)
{
    const char *filter = NULL, *cwd = NULL;
    int i = 1;
    if (argc == 2 && strcmp(argv[1], "--pause") == 0) {
        /* Sentinel: dies with its parent thread, or when the tracer kills it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) pause();
    }
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--seccomp") == 0 && i + 1 < argc) filter = argv[++i];
        else if (strcmp(argv[i], "--cwd") == 0 && i + 1 < argc) cwd = argv[++i];
        else if (strcmp(argv[i], "--") == 0) { i++; break; }
        else { fprintf(stderr, "syscallps-launch: unknown option %s\n", argv[i]); return 126; }
    }
    if (i + 1 >= argc) {
        fprintf(stderr, "usage: syscallps-launch [--seccomp HEX] [--cwd DIR] -- PATH ARGV0 [ARG...]\n");
        return 126;
    }
    if (cwd && chdir(cwd) != 0) {
        fprintf(stderr, "syscallps-launch: cannot change directory to %s: %s\n", cwd, strerror(errno));
        return 126;
    }
    /* Wait here until the tracer has taken hold of us. */
    raise(SIGSTOP);
    if (filter && install_filter(filter) != 0) return 126;
    execve(argv[i], &argv[i + 1], environ);
    fprintf(stderr, "syscallps-launch: cannot execute %s: %s\n", argv[i], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
