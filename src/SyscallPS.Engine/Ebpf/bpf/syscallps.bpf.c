// SyscallPS eBPF tracer: one ring-buffer record per syscall (entry and exit paired per thread in the
// kernel), with the bytes behind pointer arguments copied at entry (inputs) or exit (outputs).
// Layouts here must match Ebpf/EbpfRecords.cs. Regenerate the object with build.sh.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define MAX_SYSCALLS 512
#define SCRATCH_SIZE (1 << 15)         /* the most a per-CPU map value may hold */
#define BLOB_AREA (SCRATCH_SIZE / 2)   /* blobs start below this offset, so the last one always fits */
#define BLOB_MAX 4096
#define BIG_BLOB 32768                 /* one large exit copy (a whole getdents64 buffer: strace counts its entries) */
#define ENVP_MAX 511  /* envp pointers copied (one blob): strace counts the variables */
#define EXEC_ARGV_BLOB 6 /* blob.arg of a successful execve's argument strings, from the new stack */
#define EXEC_FILE_BLOB 7 /* blob.arg of its file name */
#define MAX_PREFIXES 4
#define IOV_COPIED 8    /* iovecs copied per array; strace shows at most -s of them anyway */
#define MSG_NAME_MAX 128
#define MMSG_COPIED 4   /* messages copied per sendmmsg/recvmmsg */
#define CAP_ARG_RECV (1u << 24)

enum rec_type {
    REC_SYSCALL = 1,     /* a completed syscall (written at exit) */
    REC_ENTRY = 2,       /* entry-time copies of input arguments, followed later by REC_SYSCALL of the same thread */
    REC_PROC_EXIT = 3,   /* a traced process (thread group) ended */
    REC_FORK = 4,        /* a traced process created a new process */
    REC_SIGNAL = 5,      /* a signal reached a traced thread (struct sig_rec) */
    REC_THREAD_EXIT = 6, /* a traced thread ended, not the last of its group (that one is REC_PROC_EXIT) */
};

#define SIGKILL_MASK (1UL << (9 - 1))   /* SIGKILL's bit in a sigset_t */
#define SPEC_NORETURN 1   /* exit, exit_group: report at entry */
#define SPEC_EXEC 2       /* execve: the old memory is gone at exit, never copy then */
#define SPEC_SIGRETURN 4  /* rt_sigreturn: args[0] carries the stack pointer, size[0] the offset of the restored mask */
#define SPEC_DESCRIPTORS 8 /* opens, closes, dups ... descriptors (or changes directory): the tracer's fd table needs it */
#define SPEC_PIPE 16      /* pipe, pipe2: the record's aux carries the pipe's inode (/proc shows pipe:[inode]) */

/* syscall_spec.traced */
#define TRACE_REPORT 1    /* reported */
#define TRACE_TRACK 2     /* not asked for, but sent hidden so descriptor names stay exact under a syscall filter */

/* rec.flags */
#define REC_HIDDEN 1      /* for the tracer's descriptor table only, not reported */

enum arg_kind {
    AK_NONE = 0,
    AK_STR = 1,          /* NUL-terminated string at entry */
    AK_BUF_IN = 2,       /* input buffer at entry; length in another argument */
    AK_BUF_OUT_RET = 3,  /* output buffer at exit; length = return value */
    AK_FIXED_IN = 4,     /* fixed-size input struct at entry */
    AK_FIXED_OUT = 5,    /* fixed-size output struct at exit (on success) */
    AK_ARGV = 6,         /* NULL-terminated array of strings at entry */
    AK_BUF_OUT_LEN = 7,  /* output buffer at exit; length in another argument */
    AK_DATA_IN = 8,      /* data written by the caller (write, sendto): copied at exit, saving a record */
    /* Kinds from here on always take the scratch path at exit. */
    AK_ARRAY = 9,        /* array of len_arg x elem bytes, at exit whatever the result (pollfd: only revents changes) */
    AK_ARRAY_OUT_RET = 10, /* array of ret x elem bytes at exit (epoll_wait's events) */
    AK_FDSET = 11,       /* fd_set of args[0] bits: at entry, and at exit on success */
    AK_FIXED_INOUT = 12, /* struct the kernel reads and updates (timeouts, addrlen): at entry, and at exit on success */
    AK_IOV_IN = 13,      /* iovec array (count in len_arg) and the data it points to, at exit (writev) */
    AK_IOV_OUT_RET = 14, /* iovec array and the first ret bytes of its buffers, at exit (readv; no bytes on failure) */
    AK_MSG_IN = 15,      /* msghdr with its name, iovecs and data, control: at exit (sendmsg) */
    AK_MSG_OUT_RET = 16, /* msghdr as the kernel left it, ret bytes of its iovecs: at exit (recvmsg) */
    AK_BUF_OUT_LENPTR = 17, /* output buffer at exit on success; length in the int that len_arg points to (getsockopt) */
    AK_MMSG_IN = 18,     /* mmsghdr array (count in len_arg) with each message's msghdr, at exit (sendmmsg) */
    AK_MMSG_OUT_RET = 19, /* the same for the ret messages received, each message's data cut at its msg_len (recvmmsg) */
    AK_CLONE_ARGS = 20,  /* clone3's struct clone_args at entry; at exit the pidfd and parent tid the kernel wrote back */
    AK_SIGMASK_PAIR = 21, /* pselect6's {const sigset_t *ss; size_t ss_len} and the set it points to, at entry */
    /* Sized by an argument in ways no kind above describes (sized_bytes): copied at exit, what the caller passed
     * whatever the result (saves an entry record), what the kernel wrote only on success. */
    AK_NODEMASK_IN = 22,  /* node mask of len_arg bits, in 64-bit words (mbind, set_mempolicy, migrate_pages) */
    AK_NODEMASK_OUT = 23, /* the same, on success (get_mempolicy) */
    AK_MSGBUF_IN = 24,    /* struct msgbuf: mtype and len_arg bytes of mtext (msgsnd) */
    AK_MSGBUF_OUT = 25,   /* the same, on success (msgrcv: strace prints msgsz bytes, not the count received) */
};

struct syscall_spec {
    __u8 traced;        /* 0, TRACE_REPORT, TRACE_TRACK */
    __u8 entry_blobs;
    __u8 exit_blobs;    /* 0: none; 1..6: only that argument (index + 1); 7: several */
    __u8 flags;         /* SPEC_NORETURN, SPEC_EXEC */
    __u8 kind[6];
    __u8 len_arg[6];
    __u16 size[6];
    __u8 elem[6];       /* AK_ARRAY*: bytes per element */
};

struct config {
    __u32 self_tgid;
    __u32 system_wide;
    __u32 failed_only;
    __u32 comm_filter;
    __u32 follow_children;
    __u32 wake_bytes;
    __u32 argv_string_cap;
    __u32 buffer_cap;
    __u32 prefix_count;
    __u32 prefix_len[MAX_PREFIXES];
    char prefix[MAX_PREFIXES][16];
    __u32 cgroup_filter;     /* only tasks in the cgroups of sps_cgroups (-ContainerId) */
    __u32 signals;           /* signals and group-stops are reported (the signal programs load only then) */
    __u32 argv_entries;      /* execve argv entries copied: strace shows -s strings, then "..." when there are more */
};

struct rec {
    __u8 type;
    __u8 flags;         /* REC_HIDDEN; blobs follow the head up to size */
    __u16 cpu;          /* the CPU the record was written on (sysdig's evt.cpu) */
    __u32 size;
    __u32 tgid;
    __u32 tid;
    __s32 nr;
    __u32 aux;          /* REC_PROC_EXIT, REC_THREAD_EXIT: wait status; REC_FORK: child tgid */
    __u64 enter_ns;
    __u64 exit_ns;
    __s64 ret;
    __u64 args[6];
    char comm[16];
};

struct blob {
    __u64 addr;
    __u32 len;
    __u32 arg;
};

/* Records with one small copy come in two fixed sizes: ring space (and the cache misses of writing
 * it) is the main cost of a record. */
#define TINY_BLOB 8    /* emit_tiny copies at most 7 bytes */
#define SMALL_BLOB 64

struct tiny_rec {
    struct rec head;
    struct blob blob;
    __u8 data[TINY_BLOB];
};

struct small_rec {
    struct rec head;
    struct blob blob;
    __u8 data[SMALL_BLOB];
};

struct big_rec {
    struct rec head;
    struct blob blob;
    __u8 data[BIG_BLOB];
};

struct in_flight {
    __u64 enter_ns;
    __s64 nr;
    __u32 missed;       /* arguments whose entry copy failed (page not yet faulted in): copied at exit */
    __u32 traced;       /* the process filter passed once and needs no new look-up (no name filter) */
};

/*
 * The syscall in flight of the task running on this CPU, and whether that task is traced. A syscall runs on
 * one CPU from entry to exit unless its task is switched out, and sps_switch then moves the entry into the
 * task's storage; so the common case needs no task-storage look-up (a helper call) at entry or at exit,
 * only this per-CPU slot (inlined by the verifier).
 */
struct cpu_slot {
    __u64 task;         /* the task the fields below describe; 0 after a context switch */
    __u64 enter_ns;     /* its syscall in flight, 0 when none */
    __s64 nr;
    __u32 missed;
    __u32 traced;       /* the process filter's verdict for task */
    __u64 unwoken;      /* bytes written from this CPU since it last woke the consumer */
    __u32 cpu_plus_one; /* this CPU's number + 1, once known: asked of the kernel once, not per record */
};

const volatile struct config cfg = {};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 24);
} sps_events SEC(".maps");

/* Fork and exit records have their own small ring, so a syscall flood cannot drop them. */
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 18);
} sps_procs SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} sps_drops SEC(".maps");

/* What to do for each syscall number: written by the tracer before the program is loaded (a global array,
 * so no map update per syscall at start-up and no map look-up per event). */
struct syscall_spec sps_specs[MAX_SYSCALLS] SEC(".data.specs");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} sps_tgids SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, char[16]);
    __type(value, __u8);
} sps_comms SEC(".maps");

/* The cgroup v2 ids (kernfs node ids) of the containers -ContainerId names, with their descendants. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u64);
    __type(value, __u8);
} sps_cgroups SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, struct in_flight);
} sps_flights SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u8[SCRATCH_SIZE]);
} sps_scratch SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct cpu_slot);
} sps_cpu SEC(".maps");

/* This CPU's slot (the verifier inlines a per-CPU array look-up: no helper call). */
static __always_inline struct cpu_slot *this_cpu_slot(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&sps_cpu, &zero);
}

static __always_inline void count_drop(void)
{
    __u32 zero = 0;
    __u64 *n = bpf_map_lookup_elem(&sps_drops, &zero);
    if (n)
        __sync_fetch_and_add(n, 1);
}

/* Batched wakeups: a record wakes the consumer (which otherwise polls on a timer) only once wake_bytes have been
 * written on its CPU since the last wakeup. A wakeup per record would cost the traced program more than the
 * record; counting in the CPU slot costs less than asking the ring how full it is. */
static __always_inline __u64 wake_flag(__u32 size)
{
    struct cpu_slot *slot = this_cpu_slot();
    if (!slot)
        return BPF_RB_NO_WAKEUP;
    slot->unwoken += size;
    if (slot->unwoken < cfg.wake_bytes)
        return BPF_RB_NO_WAKEUP;
    slot->unwoken = 0;
    return BPF_RB_FORCE_WAKEUP;
}

static __always_inline int name_allowed(char *comm)
{
    /* Names match case-insensitively (PowerShell wildcards); the patterns arrive lower-cased. */
    for (int i = 0; i < 16; i++) {
        if (comm[i] >= 'A' && comm[i] <= 'Z')
            comm[i] += 'a' - 'A';
    }
    if (bpf_map_lookup_elem(&sps_comms, comm))
        return 1;
    for (int p = 0; p < MAX_PREFIXES; p++) {
        if (p >= cfg.prefix_count)
            break;
        int ok = 1;
        for (int i = 0; i < 15; i++) {
            if (i >= cfg.prefix_len[p])
                break;
            if (comm[i] != cfg.prefix[p][i]) {
                ok = 0;
                break;
            }
        }
        if (ok)
            return 1;
    }
    return 0;
}

/* A process is named by its main thread's comm: a thread that renamed itself (prctl(PR_SET_NAME)) still belongs
 * to its process's name. Not inlined: only a name filter calls it, and its buffer would enlarge every syscall's
 * stack frame. */
static __noinline int comm_allowed(struct task_struct *task)
{
    char comm[16] = {};
    bpf_probe_read_kernel_str(comm, sizeof(comm), BPF_CORE_READ(task, group_leader, comm));
    return name_allowed(comm);
}

/* The task's cgroup v2 id: the one bpf_get_current_cgroup_id gives, readable for any task (a signal's receiver). */
static __always_inline int cgroup_allowed(struct task_struct *task)
{
    __u64 id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
    return bpf_map_lookup_elem(&sps_cgroups, &id) != 0;
}

static __always_inline int process_traced(__u32 tgid)
{
    if (cfg.system_wide) {
        if (tgid == cfg.self_tgid)
            return 0;
    } else if (!bpf_map_lookup_elem(&sps_tgids, &tgid)) {
        return 0;
    }
    if (cfg.comm_filter && !comm_allowed(bpf_get_current_task_btf()))
        return 0;
    if (cfg.cgroup_filter && !cgroup_allowed(bpf_get_current_task_btf()))
        return 0;
    return 1;
}

/* sps_put_blob's how: a string copy or not, extras, and the argument index the blob belongs to. */
#define HOW_STR 1
#define HOW_PREFIX 2   /* a plain copy that fails is retried up to the end of its first page (arrays, structs) */
#define HOW(is_str, arg) ((is_str) | ((__u32)(arg) << 8))

/*
 * Copies one argument's bytes into the per-CPU scratch record at offset off; returns the new end offset
 * (unchanged when nothing was read). A global function: the verifier checks it once, not per call site,
 * which keeps the syscall programs far below its complexity limit.
 */
__noinline int sps_put_blob(__u32 off, __u64 addr, __u32 len, __u32 how)
{
    __u32 zero = 0;
    __u8 *buf = bpf_map_lookup_elem(&sps_scratch, &zero);
    if (!buf || !addr || off >= BLOB_AREA || len == 0)
        return off;
    if (len > BLOB_MAX)
        len = BLOB_MAX;
    /* Keep the verifier's bounds (1..BLOB_MAX): the compiler may otherwise reuse the unclamped registers. */
    len -= 1;
    asm volatile("%[len] &= 0xfff" : [len] "+r"(len));
    len += 1;
    asm volatile("%[off] &= 0x3fff" : [off] "+r"(off));
    struct blob *b = (struct blob *)(buf + off);
    long n;
    if (how & HOW_STR) {
        n = bpf_probe_read_user_str(buf + off + sizeof(struct blob), len, (const void *)addr);
    } else {
        n = bpf_probe_read_user(buf + off + sizeof(struct blob), len, (const void *)addr) == 0 ? (long)len : -1;
        __u32 room = 4096 - (__u32)(addr & 4095);
        if (n < 0 && (how & HOW_PREFIX) && room < len) {
            /* The tail lies in an unreadable page: keep what precedes it (strace prints the readable elements). */
            len = room - 1;
            asm volatile("%[len] &= 0xfff" : [len] "+r"(len));
            len += 1;
            n = bpf_probe_read_user(buf + off + sizeof(struct blob), len, (const void *)addr) == 0 ? (long)len : -1;
        }
    }
    if (n <= 0)
        return off;
    b->addr = addr;
    b->len = (__u32)n;
    b->arg = how >> 8;
    return off + sizeof(struct blob) + (((__u32)n + 7) & ~7u);
}

struct vec_walk {
    __u64 addr;
    __u32 off;
    __u32 arg;      /* argument index, VEC_STRINGS */
    __u32 count;    /* pointers read, the terminating NULL included */
    __u32 failed;   /* a pointer or a string could not be read */
};

#define VEC_STRINGS 0x100
#define VEC_FAILED (1 << 30)   /* in sps_put_vector's result: a part could not be read */

static long vec_step(__u64 i, void *ctx)
{
    struct vec_walk *w = ctx;
    __u64 p = 0;
    if (bpf_probe_read_user(&p, sizeof(p), (const void *)(w->addr + i * 8)) != 0) {
        w->failed = 1;
        return 1;
    }
    w->count = (__u32)i + 1;
    if (!p)
        return 1;
    if (w->arg & VEC_STRINGS) {
        __u32 before = w->off;
        w->off = sps_put_blob(w->off, p, cfg.argv_string_cap, HOW(HOW_STR, w->arg & 0xff));
        if (w->off == before)
            w->failed = 1;
    }
    return 0;
}

/* A NULL-terminated pointer array (execve's argv or envp) up to max entries: the pointers as one blob, then, with
 * VEC_STRINGS in arg, each string. Returns the new offset, with VEC_FAILED when a part could not be read. */
__noinline int sps_put_vector(__u32 off, __u64 addr, __u32 arg, __u32 max)
{
    if (!addr)
        return off;
    struct vec_walk w = { .addr = addr, .off = off, .arg = arg & 0xff };
    bpf_loop(max > ENVP_MAX ? ENVP_MAX : max, vec_step, &w, 0);
    if (w.count == 0)
        return off | VEC_FAILED;
    __u32 n = w.count;
    w.off = sps_put_blob(w.off, addr, n * 8, HOW(0, arg & 0xff));
    if (arg & VEC_STRINGS) {
        /* The strings of the pointers read, not past the NULL (which count includes). */
        w.arg = arg;
        w.count = 0;
        bpf_loop(n, vec_step, &w, 0);
    }
    return (int)(w.off | (w.failed ? VEC_FAILED : 0));
}

/* pselect6's sigmask argument: the {set pointer, size} pair, and the set when its size is a sigset_t's (strace
 * prints any other size's set as its address). */
__noinline int sps_put_sigmask_pair(__u32 off, __u64 addr, __u32 arg)
{
    __u64 pair[2];
    if (!addr || bpf_probe_read_user(pair, sizeof(pair), (const void *)addr) != 0)
        return off;
    off = sps_put_blob(off, addr, sizeof(pair), HOW(0, arg));
    if (pair[0] && pair[1] == 8)
        off = sps_put_blob(off, pair[0], 8, HOW(0, arg));
    return off;
}

/* cap (bytes per buffer, at most 0xffff) and argument index in one value: BPF calls take five arguments. */
#define CAP_ARG(cap, arg) (((__u32)(cap) & 0xffff) | ((__u32)(arg) << 16))

/* An iovec array, then the bytes of each buffer: at most limit in total (a read's return value), each
 * buffer cut at the cap of cap_arg. */
__noinline int sps_put_iov(__u32 off, __u64 addr, __u64 count, __s64 limit, __u32 cap_arg)
{
    __u32 cap = cap_arg & 0xffff;
    __u32 arg = cap_arg >> 16;
    if (!addr || count == 0)
        return off;
    if (count > IOV_COPIED)
        count = IOV_COPIED;
    __u32 before = off;
    off = sps_put_blob(off, addr, (__u32)count * 16, HOW(0, arg) | HOW_PREFIX);
    if (off == before)
        return off;
    for (int i = 0; i < IOV_COPIED; i++) {
        if (i >= count || limit <= 0)
            break;
        __u64 iov[2];
        if (bpf_probe_read_user(iov, sizeof(iov), (const void *)(addr + i * 16)) != 0)
            break;
        __u64 n = iov[1];
        if ((__s64)n > limit)
            n = limit;
        limit -= n;
        if (n > cap)
            n = cap;
        off = sps_put_blob(off, iov[0], (__u32)n, HOW(0, arg));
    }
    return off;
}

struct sps_msghdr {
    __u64 name;
    __u32 namelen;
    __u32 pad;
    __u64 iov;
    __u64 iovlen;
    __u64 control;
    __u64 controllen;
    __u32 flags;
    __u32 pad2;
};

/* A msghdr and what it points to: the address, the iovecs with their data, the control messages. */
__noinline int sps_put_msghdr(__u32 off, __u64 addr, __s64 limit, __u32 cap_arg)
{
    __u32 arg = cap_arg >> 16;
    struct sps_msghdr h;
    if (!addr || bpf_probe_read_user(&h, sizeof(h), (const void *)addr) != 0)
        return off;
    off = sps_put_blob(off, addr, sizeof(h), HOW(0, arg));
    if (h.name && h.namelen)
        off = sps_put_blob(off, h.name, h.namelen > MSG_NAME_MAX ? MSG_NAME_MAX : h.namelen, HOW(0, arg));
    off = sps_put_iov(off, h.iov, h.iovlen, limit, cap_arg);
    if (h.control && h.controllen)
        off = sps_put_blob(off, h.control, h.controllen > BLOB_MAX ? BLOB_MAX : (__u32)h.controllen, HOW(0, arg));
    return off;
}

/* An mmsghdr array and each message's msghdr; received messages carry their data up to their msg_len. */
__noinline int sps_put_mmsg(__u32 off, __u64 addr, __u64 vlen, __s64 done, __u32 cap_arg)
{
    __u32 arg = (cap_arg >> 16) & 0xff;
    if (!addr || vlen == 0)
        return off;
    if (vlen > MMSG_COPIED)
        vlen = MMSG_COPIED;
    off = sps_put_blob(off, addr, (__u32)vlen * 64, HOW(0, arg));
    for (int i = 0; i < MMSG_COPIED; i++) {
        if (i >= vlen)
            break;
        __s64 limit = 0x7fffffffffffffffLL;
        if (cap_arg & CAP_ARG_RECV) {
            __u32 len = 0;
            if (i >= done || bpf_probe_read_user(&len, sizeof(len), (const void *)(addr + i * 64 + 56)) != 0)
                len = 0;
            limit = len;
        }
        off = sps_put_msghdr(off, addr + i * 64, limit, cap_arg & ~CAP_ARG_RECV);
    }
    return off;
}

static __always_inline __u32 fdset_bytes(const struct syscall_spec *spec, const __u64 *args, int i)
{
    __u32 nfds = (__u32)args[0];
    __u32 len = nfds > 65536 ? 8192 : ((nfds + 63) / 64) * 8;
    return len > spec->size[i] ? spec->size[i] : len;
}

static __always_inline __u32 array_bytes(const struct syscall_spec *spec, __u64 count, int i)
{
    __u64 len = count > 65536 ? 65536 * 16 : count * spec->elem[i];
    return len > spec->size[i] ? spec->size[i] : (__u32)len;
}

static __always_inline __u32 length_of(const struct syscall_spec *spec, const __u64 *args, int i)
{
    __u32 len = 0;
    if (spec->len_arg[i] < 6)
        len = (__u32)args[spec->len_arg[i] & 7];
    return len > spec->size[i] ? spec->size[i] : len;
}

/* The bytes of a node mask or a struct msgbuf whose size argument is n, at most the spec's size. A node mask of
 * maxnode bits holds (maxnode + 62) / 64 words, as the kernel's get_nodes and strace count them (in 64-bit
 * arithmetic, which a hostile maxnode near 2^64 wraps to none, in all three). */
static __always_inline __u32 sized_bytes(const struct syscall_spec *spec, const __u64 *args, int i)
{
    __u64 n = spec->len_arg[i] < 6 ? args[spec->len_arg[i] & 7] : 0;
    __u32 size = spec->size[i];
    if (spec->kind[i] <= AK_NODEMASK_OUT) {
        __u64 words = (n + 62) / 64;
        return words > size / 8 ? size : (__u32)words * 8;
    }
    /* At least a whole struct msgbuf (16 bytes, its mtext[1] padded): the decoder reads that much first, as strace. */
    __u32 bytes = n > size - 8 ? size : (__u32)n + 8;
    return bytes < 16 ? 16 : bytes;
}

static __always_inline __u32 entry_blobs(__u32 off, const struct syscall_spec *spec, const __u64 *args, __u32 *missed)
{
    for (int i = 0; i < 6; i++) {
        __u8 kind = spec->kind[i];
        __u32 before = off;
        if (kind == AK_STR) {
            off = sps_put_blob(off, args[i], spec->size[i], HOW(1, i));
            if (off == before && args[i])
                *missed |= 1u << i;
        } else if (kind == AK_BUF_IN) {
            off = sps_put_blob(off, args[i], length_of(spec, args, i), HOW(0, i));
        } else if (kind == AK_FIXED_IN || kind == AK_FIXED_INOUT || kind == AK_CLONE_ARGS) {
            off = sps_put_blob(off, args[i], spec->size[i], HOW(0, i) | (kind == AK_FIXED_INOUT ? HOW_PREFIX : 0));
            if (off == before && args[i] && kind != AK_FIXED_INOUT)
                *missed |= 1u << i;
        } else if (kind == AK_FDSET) {
            off = sps_put_blob(off, args[i], fdset_bytes(spec, args, i), HOW(0, i));
        } else if (kind == AK_SIGMASK_PAIR) {
            off = sps_put_sigmask_pair(off, args[i], i);
        }
    }
    return off;
}

/* Strings and structs whose page was not yet faulted in at entry (a sigset in a library's read-only data):
 * the syscall has touched them by now. */
static __always_inline __u32 retry_entry_copies(__u32 off, const struct syscall_spec *spec, const __u64 *args, __u32 missed)
{
    for (int i = 0; i < 6; i++) {
        if (missed & (1u << i))
            off = sps_put_blob(off, args[i], spec->size[i], HOW(spec->kind[i] == AK_STR, i));
    }
    return off;
}

#define CLONE_PIDFD_FLAG 0x1000ULL
#define CLONE_PARENT_SETTID_FLAG 0x100000ULL

/* clone3's results written through the pointers in its clone_args (strace: "=> {pidfd=[5], parent_tid=[42]}"). */
static __always_inline __u32 clone3_results(__u32 off, __u64 uargs, int i)
{
    __u64 head[4];
    if (bpf_probe_read_user(head, sizeof(head), (const void *)uargs) != 0)
        return off;
    if (head[0] & CLONE_PIDFD_FLAG)
        off = sps_put_blob(off, head[1], 4, HOW(0, i));
    if (head[0] & CLONE_PARENT_SETTID_FLAG)
        off = sps_put_blob(off, head[3], 4, HOW(0, i));
    return off;
}

/* Argument i's exit copies (one step of exit_blobs). */
static __always_inline __u32 exit_blob(__u32 off, const struct syscall_spec *spec, const __u64 *args, __s64 ret, int i)
{
    __u8 kind = spec->kind[i];
    if (kind == AK_DATA_IN || (kind == AK_BUF_OUT_LEN && ret >= 0)) {
        off = sps_put_blob(off, args[i], length_of(spec, args, i), HOW(0, i));
    } else if (kind == AK_BUF_OUT_RET && ret >= 0) {
        off = sps_put_blob(off, args[i], ret > spec->size[i] ? spec->size[i] : (__u32)ret, HOW(0, i));
    } else if ((kind == AK_FIXED_OUT || kind == AK_FIXED_INOUT) && ret >= 0) {
        off = sps_put_blob(off, args[i], spec->size[i], HOW(0, i) | (kind == AK_FIXED_INOUT ? HOW_PREFIX : 0));
    } else if (kind == AK_ARRAY) {
        __u32 n = spec->len_arg[i] < 6 ? array_bytes(spec, args[spec->len_arg[i] & 7], i) : 0;
        off = sps_put_blob(off, args[i], n, HOW(0, i) | HOW_PREFIX);
    } else if (kind == AK_ARRAY_OUT_RET && ret > 0) {
        off = sps_put_blob(off, args[i], array_bytes(spec, (__u64)ret, i), HOW(0, i));
    } else if (kind == AK_FDSET && ret > 0) {
        off = sps_put_blob(off, args[i], fdset_bytes(spec, args, i), HOW(0, i));
    } else if (kind == AK_IOV_IN || kind == AK_IOV_OUT_RET) {
        /* A failed read still gets its array (no data): strace prints it with the buffers' addresses. */
        __u64 count = spec->len_arg[i] < 6 ? args[spec->len_arg[i] & 7] : 0;
        off = sps_put_iov(off, args[i], count, kind == AK_IOV_IN ? 0x7fffffffffffffffLL : (ret > 0 ? ret : 0), CAP_ARG(spec->size[i], i));
    } else if (kind == AK_BUF_OUT_LENPTR && ret >= 0 && spec->len_arg[i] < 6) {
        __u32 n = 0;
        if (bpf_probe_read_user(&n, sizeof(n), (const void *)args[spec->len_arg[i] & 7]) == 0)
            /* The returned length is the object's, which can exceed the caller's buffer (a truncated sockaddr):
             * keep the readable part when the rest lies in an unmapped page. */
            off = sps_put_blob(off, args[i], n > spec->size[i] ? spec->size[i] : n, HOW(0, i) | HOW_PREFIX);
    } else if ((kind == AK_MMSG_IN || (kind == AK_MMSG_OUT_RET && ret >= 0)) && spec->len_arg[i] < 6) {
        __u32 how = CAP_ARG(spec->size[i], i) | (kind == AK_MMSG_OUT_RET ? CAP_ARG_RECV : 0);
        off = sps_put_mmsg(off, args[i], args[spec->len_arg[i] & 7], ret, how);
    } else if (kind == AK_CLONE_ARGS && ret > 0) {
        off = clone3_results(off, args[i], i);
    } else if (kind == AK_MSG_IN || kind == AK_MSG_OUT_RET) {
        /* A failed recvmsg still shows the header it was given. */
        off = sps_put_msghdr(off, args[i], kind == AK_MSG_IN ? 0x7fffffffffffffffLL : ret > 0 ? ret : 0, CAP_ARG(spec->size[i], i));
    } else if (kind == AK_NODEMASK_IN || kind == AK_MSGBUF_IN || ((kind == AK_NODEMASK_OUT || kind == AK_MSGBUF_OUT) && ret >= 0)) {
        /* A tail in an unreadable page: strace prints the readable words, or the mtype with mtext's address. */
        off = sps_put_blob(off, args[i], sized_bytes(spec, args, i), HOW(0, i) | HOW_PREFIX);
    }
    return off;
}

struct exit_walk {
    const struct syscall_spec *spec;
    const __u64 *args;
    __s64 ret;
    __u32 off;
};

static long exit_blob_step(__u64 index, void *ctx)
{
    struct exit_walk *w = ctx;
    if (index >= 6)
        return 1;
    w->off = exit_blob(w->off, w->spec, w->args, w->ret, (int)index);
    return 0;
}

/* Every argument's exit copies. A bpf_loop, not an unrolled loop: the verifier checks one step instead of
 * six, which was most of the exit program's verification time (start-up of every trace). */
static __always_inline __u32 exit_blobs(__u32 off, const struct syscall_spec *spec, const __u64 *args, __s64 ret)
{
    struct exit_walk w = { .spec = spec, .args = args, .ret = ret, .off = off };
    bpf_loop(6, exit_blob_step, &w, 0);
    return w.off;
}

/* The CPU running the program, from its slot (a helper call only the first time on each CPU). */
static __always_inline __u16 this_cpu(void)
{
    struct cpu_slot *slot = this_cpu_slot();
    if (!slot)
        return (__u16)bpf_get_smp_processor_id();
    if (!slot->cpu_plus_one)
        slot->cpu_plus_one = bpf_get_smp_processor_id() + 1;
    return (__u16)(slot->cpu_plus_one - 1);
}

/* Ids and name straight from the task (BTF loads): cheaper than the helpers, which matters once per syscall. */
static __always_inline void fill_header(struct rec *r, __u8 type, struct task_struct *task, __s32 nr)
{
    r->type = type;
    r->flags = 0;
    r->cpu = this_cpu();
    r->size = sizeof(*r);
    r->tgid = task->tgid;
    r->tid = task->pid;
    r->nr = nr;
    r->aux = 0;
    *(__u64 *)&r->comm[0] = *(__u64 *)&task->comm[0];
    *(__u64 *)&r->comm[8] = *(__u64 *)&task->comm[8];
}

/* Emits a record built in the per-CPU scratch area (variable size). */
static __always_inline void output_scratch(__u8 *buf, __u32 size)
{
    if (size > SCRATCH_SIZE - 8)
        size = SCRATCH_SIZE - 8;
    asm volatile("%[size] &= 0x7fff" : [size] "+r"(size));
    if (bpf_ringbuf_output(&sps_events, buf, size, wake_flag(size)) != 0)
        count_drop();
}

static __always_inline void regs_args(struct pt_regs *regs, __u64 *args)
{
#if defined(__TARGET_ARCH_x86)
    args[0] = regs->di;
    args[1] = regs->si;
    args[2] = regs->dx;
    args[3] = regs->r10;
    args[4] = regs->r8;
    args[5] = regs->r9;
#elif defined(__TARGET_ARCH_arm64)
    args[0] = regs->orig_x0;
    for (int i = 1; i < 6; i++)
        args[i] = regs->regs[i];
#endif
}

/* Argument k, straight from the registers it was passed in. */
static __always_inline __u64 reg_arg(struct pt_regs *regs, __u32 k)
{
#if defined(__TARGET_ARCH_x86)
    switch (k) {
    case 0: return regs->di;
    case 1: return regs->si;
    case 2: return regs->dx;
    case 3: return regs->r10;
    case 4: return regs->r8;
    default: return regs->r9;
    }
#elif defined(__TARGET_ARCH_arm64)
    return k == 0 ? regs->orig_x0 : regs->regs[k > 5 ? 5 : k];
#endif
}

/* A syscall record's head (entry or completed call); the arguments come from the registers, which still hold
 * them at exit. */
static __always_inline void fill_call(struct rec *r, __u16 type, struct task_struct *task, struct pt_regs *regs,
                                      __s32 nr, __s64 ret, __u64 enter_ns, __u64 exit_ns)
{
    fill_header(r, type, task, nr);
    r->enter_ns = enter_ns;
    r->exit_ns = exit_ns;
    r->ret = ret;
    for (int k = 0; k < 6; k++)
        r->args[k] = reg_arg(regs, k);
}

/* A completed syscall's head. */
static __always_inline void fill_syscall(struct rec *r, struct task_struct *task, struct pt_regs *regs, __s32 nr,
                                         __s64 ret, __u64 enter_ns, __u64 now)
{
    fill_call(r, REC_SYSCALL, task, regs, nr, ret, enter_ns, now);
}

/*
 * The hot paths below keep their stack frame under 64 bytes. Larger frames run on the kernel's per-CPU
 * private BPF stack, and a user-memory copy into such a frame goes through the slower heap branch of the
 * kernel's hardened-usercopy check: measured about 40 ns a copy, for dd's one-byte reads and writes a fifth
 * of the whole cost. The rare paths (entry records, several copies) are separate functions with frames of
 * their own.
 */

/* The syscall's registers: the ones the sys_enter/sys_exit tracepoints are given are the task's own. */
static __always_inline struct pt_regs *syscall_regs(void)
{
    return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* execve's (a = 1) or execveat's (a = 2) argv with its strings and envp's pointers; the arguments not wholly copied
 * are added to missed. */
static __always_inline __u32 exec_vectors(__u32 off, const __u64 *args, int a, __u32 *missed)
{
    int r = sps_put_vector(off, args[a], a | VEC_STRINGS, cfg.argv_entries);
    if (r & VEC_FAILED)
        *missed |= 1u << a;
    r = sps_put_vector(r & ~VEC_FAILED, args[a + 1], a + 1, ENVP_MAX);
    if (r & VEC_FAILED)
        *missed |= 1u << (a + 1);
    return r & ~VEC_FAILED;
}

/* Entry copies (strings, input structs, argv, the sigreturn mask) in an entry record. Returns the arguments
 * whose copy failed (bits 0-5), or -1 when nothing could be written. Global, with scalar arguments: the
 * verifier checks it once, not once per caller state. */
__noinline int sps_enter_copies(__s64 nr, __u64 now)
{
    struct syscall_spec *spec = &sps_specs[(__u32)nr & (MAX_SYSCALLS - 1)];
    struct pt_regs *regs = syscall_regs();
    __u64 args[6];
    regs_args(regs, args);
    __u32 zero = 0;
    __u8 *buf = bpf_map_lookup_elem(&sps_scratch, &zero);
    if (!buf)
        return -1;
    struct rec *r = (struct rec *)buf;
    fill_call(r, REC_ENTRY, bpf_get_current_task_btf(), regs, (__s32)nr, 0, now, 0);
    r->flags = spec->traced == TRACE_TRACK ? REC_HIDDEN : 0;
    __u32 missed = 0;
    __u32 off = sizeof(struct rec);
    if (spec->flags & SPEC_SIGRETURN) {
        /* The mask being restored lies in the signal frame on the stack. */
        r->args[0] = regs->sp;
        off = sps_put_blob(off, regs->sp + spec->size[0], 8, HOW(0, 0));
    } else if (spec->entry_blobs) {
        off = entry_blobs(off, spec, args, &missed);
    }
    if (spec->flags & SPEC_EXEC)
        off = spec->kind[2] == AK_ARGV ? exec_vectors(off, args, 2, &missed) : exec_vectors(off, args, 1, &missed);
    r->size = off;
    output_scratch(buf, off);
    return (int)missed;
}

/* Whether the current task is traced: the process filter's verdict, kept in the task's storage (created for
 * a traced task only) so it is worked out once per task, and in the CPU slot until the next switch. */
static __always_inline int slot_traced(struct cpu_slot *slot, struct task_struct *task)
{
    if (slot->task == (__u64)task && !cfg.comm_filter)
        return slot->traced;
    /* A syscall of another task may still be recorded here if a switch was missed: it is not ours to take. */
    slot->task = (__u64)task;
    slot->enter_ns = 0;
    struct in_flight *f = bpf_task_storage_get(&sps_flights, task, 0, 0);
    int traced = f && f->traced;
    if (!traced && process_traced(task->tgid)) {
        if (!f)
            f = bpf_task_storage_get(&sps_flights, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
        /* Without storage a switch in mid-call could not keep the entry: treat the task as untraced. */
        if (f) {
            /* A name filter is checked every time: exec and prctl(PR_SET_NAME) rename a task. */
            f->traced = !cfg.comm_filter;
            traced = 1;
        }
    }
    slot->traced = traced;
    return traced;
}

static __always_inline int on_enter(__s64 nr, struct pt_regs *regs)
{
    if (nr < 0 || nr >= MAX_SYSCALLS)
        return 0;
    struct syscall_spec *spec = &sps_specs[(__u32)nr & (MAX_SYSCALLS - 1)];
    if (!spec->traced)
        return 0;
    struct task_struct *task = bpf_get_current_task_btf();
#if defined(__TARGET_ARCH_x86)
    /* 32-bit (int 0x80) syscalls have their own numbers; the table is the 64-bit one: skip them. */
    if (task->thread_info.status & 0x0002 /* TS_COMPAT */)
        return 0;
#endif
    struct cpu_slot *slot = this_cpu_slot();
    if (!slot || !slot_traced(slot, task))
        return 0;
    /* exit and exit_group have no result: never a failure. */
    if ((spec->flags & SPEC_NORETURN) && cfg.failed_only)
        return 0;
    __u64 now = bpf_ktime_get_ns();
    __u32 missed = 0;
    if ((spec->flags & SPEC_NORETURN) || spec->entry_blobs) {
        int result = sps_enter_copies(nr, now);
        if (result < 0 || (spec->flags & SPEC_NORETURN))
            return 0;
        missed = (__u32)result;
    }
    slot->enter_ns = now;
    slot->nr = nr;
    slot->missed = missed;
    return 0;
}

/* A syscall whose exit copies need the scratch record (several copies, arrays, iovecs, msghdrs), or whose
 * entry strings are copied again. nr_missed: the syscall number (low half), the missed arguments (bits 32-37),
 * hidden (bit 63). */
__noinline int sps_exit_copies(__s64 ret, __u64 nr_missed, __u64 enter_ns)
{
    struct syscall_spec *spec = &sps_specs[(__u32)nr_missed & (MAX_SYSCALLS - 1)];
    struct pt_regs *regs = syscall_regs();
    __u64 args[6];
    regs_args(regs, args);
    __u32 missed = (nr_missed >> 32) & 0x3f;
    __u32 zero = 0;
    __u8 *buf = bpf_map_lookup_elem(&sps_scratch, &zero);
    if (!buf)
        return 0;
    struct rec *r = (struct rec *)buf;
    fill_syscall(r, bpf_get_current_task_btf(), regs, (__s32)nr_missed, ret, enter_ns, bpf_ktime_get_ns());
    __u32 off = sizeof(struct rec);
    if ((spec->flags & SPEC_EXEC) && missed) {
        /* A failed execve: the caller's memory is still there, and pages the kernel read are faulted in now. */
        __u32 still_missed = 0;   /* nothing is retried after the exit */
        int a = spec->kind[2] == AK_ARGV ? 2 : 1;
        off = a == 2 ? exec_vectors(off, args, 2, &still_missed) : exec_vectors(off, args, 1, &still_missed);
        missed &= ~(3u << a);
    }
    if (missed)
        off = retry_entry_copies(off, spec, args, missed);
    off = exit_blobs(off, spec, args, ret);
    r->size = off;
    r->flags = (nr_missed >> 63) & REC_HIDDEN;
    output_scratch(buf, off);
    return 0;
}

/*
 * A successful execve: the caller's memory is gone, but the kernel has copied the argument strings onto the new
 * stack (mm->arg_start..arg_end) and the file name just above the environment strings (env_end). They go out as
 * blobs of pseudo-arguments EXEC_ARGV_BLOB and EXEC_FILE_BLOB, which the consumer uses only for the entry copies
 * that failed (a page the caller had not touched yet, as in a vfork child exec'ing string literals).
 */
__noinline int sps_exec_copies(__s64 ret, __u64 nr_hidden, __u64 enter_ns)
{
    __u32 zero = 0;
    __u8 *buf = bpf_map_lookup_elem(&sps_scratch, &zero);
    if (!buf)
        return 0;
    struct task_struct *task = bpf_get_current_task_btf();
    struct rec *r = (struct rec *)buf;
    fill_syscall(r, task, syscall_regs(), (__s32)nr_hidden, ret, enter_ns, bpf_ktime_get_ns());
    __u32 off = sizeof(struct rec);
    struct mm_struct *mm = BPF_CORE_READ(task, mm);
    if (mm) {
        __u64 start = BPF_CORE_READ(mm, arg_start);
        __u64 end = BPF_CORE_READ(mm, arg_end);
        if (end > start)
            off = sps_put_blob(off, start, end - start > BLOB_MAX ? BLOB_MAX : (__u32)(end - start), HOW(0, EXEC_ARGV_BLOB));
        off = sps_put_blob(off, BPF_CORE_READ(mm, env_end), BLOB_MAX, HOW(1, EXEC_FILE_BLOB));
    }
    r->size = off;
    r->flags = (nr_hidden >> 63) & REC_HIDDEN;
    output_scratch(buf, off);
    return 0;
}

/*
 * Reads 1-7 bytes at addr into the low bytes of the result; bit 63 set when the read failed. Its frame is
 * one word: a copy into a large frame (which runs on the kernel's per-CPU private BPF stack) or straight
 * into the ring (vmalloc'ed) takes the slower heap branch of the hardened-usercopy check, about a fifth of
 * the cost of tracing dd's one-byte reads and writes.
 */
static __noinline __u64 read_word(__u64 addr, __u32 m)
{
    __u64 word = 0;
    asm volatile("%[m] &= 7" : [m] "+r"(m));
    /* The string copy is the cheaper one in the kernel (no object-size check, no rep movs). It has all m
     * bytes when it stops at the last of them or runs m bytes without a NUL; a NUL earlier on stops it
     * short, and then the plain copy reads them. */
    long n = bpf_probe_read_user_str(&word, m + 1, (const void *)addr);
    if (n == m || n == m + 1)
        return word;
    word = 0;
    if (bpf_probe_read_user(&word, m, (const void *)addr) != 0)
        return 1ull << 63;
    return word;
}

/* A syscall with one copy of under 8 bytes (dd's one-byte reads and writes), from the argument i's address.
 * i_n_nr: hidden << 48 | argument index i << 40 | length << 32 | syscall number. */
static __noinline int emit_tiny(struct task_struct *task, struct pt_regs *regs, __u64 i_n_nr, __s64 ret, __u64 enter_ns)
{
    __u32 m = (i_n_nr >> 32) & 7;
    __u32 i = (i_n_nr >> 40) & 7;
    __u64 addr = reg_arg(regs, i);
    __u64 word = read_word(addr, m);
    struct tiny_rec *tr = bpf_ringbuf_reserve(&sps_events, sizeof(*tr), 0);
    if (!tr) {
        count_drop();
        return 0;
    }
    fill_syscall(&tr->head, task, regs, (__s32)i_n_nr, ret, enter_ns, bpf_ktime_get_ns());
    __u32 size = sizeof(struct rec);
    if (!(word >> 63)) {
        ((__u64 *)tr->data)[0] = word;
        tr->blob.addr = addr;
        tr->blob.len = m;
        tr->blob.arg = i;
        size += sizeof(struct blob) + 8;
    }
    tr->head.size = size;
    tr->head.flags = (i_n_nr >> 48) & REC_HIDDEN;
    bpf_ringbuf_submit(tr, wake_flag(sizeof(*tr)));
    return 0;
}

/*
 * The inode of descriptor fd of the current process, 0 when unknown: what /proc/PID/fd shows for a pipe
 * (pipe:[inode]), read here because the process may be gone by the time the tracer looks.
 */
static __noinline __u32 fd_inode(int fd)
{
    struct task_struct *task = bpf_get_current_task_btf();
    struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
    if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
        return 0;
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *file = NULL;
    if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd & 0xfffff]) != 0 || !file)
        return 0;
    return (__u32)BPF_CORE_READ(file, f_inode, i_ino);
}

/* Reserves a T with room for the m bytes at addr, reads them straight into it, submits (small_rec, big_rec). */
#define EMIT_DIRECT(T, MASK)                                                                   \
    do {                                                                                       \
        T *sr = bpf_ringbuf_reserve(&sps_events, sizeof(T), 0);                                \
        if (!sr) {                                                                             \
            count_drop();                                                                      \
            return 0;                                                                          \
        }                                                                                      \
        fill_syscall(&sr->head, task, regs, (__s32)nr, ret, enter_ns, bpf_ktime_get_ns());     \
        __u32 m = n;                                                                           \
        asm volatile("%[m] &= " #MASK : [m] "+r"(m));                                          \
        __u32 size = sizeof(struct rec);                                                       \
        if (bpf_probe_read_user(sr->data, m, (const void *)addr) == 0) {                       \
            sr->blob.addr = addr;                                                              \
            sr->blob.len = m;                                                                  \
            sr->blob.arg = i;                                                                  \
            size += sizeof(struct blob) + ((m + 7) & ~7u);                                     \
            if ((spec->flags & SPEC_PIPE) && ret == 0 && m >= 4)                                \
                sr->head.aux = fd_inode(*(int *)sr->data);                                     \
        }                                                                                      \
        sr->head.size = size;                                                                  \
        sr->head.flags = hidden;                                                               \
        bpf_ringbuf_submit(sr, wake_flag(sizeof(T)));                                          \
        return 0;                                                                              \
    } while (0)

static __always_inline int on_exit(__s64 nr, __s64 ret, struct pt_regs *regs)
{
    struct task_struct *task = bpf_get_current_task_btf();
    struct cpu_slot *slot = this_cpu_slot();
    if (!slot)
        return 0;
    __u64 enter_ns;
    __s64 entry_nr;
    __u32 missed;
    if (slot->task == (__u64)task) {
        /* The task has not left this CPU since its entry, if there was one. */
        enter_ns = slot->enter_ns;
        entry_nr = slot->nr;
        missed = slot->missed;
        slot->enter_ns = 0;
    } else {
        /* Switched out in mid-call: sps_switch has moved the entry to the task's storage. */
        struct in_flight *f = bpf_task_storage_get(&sps_flights, task, 0, 0);
        if (!f)
            return 0;
        enter_ns = f->enter_ns;
        entry_nr = f->nr;
        missed = f->missed;
        f->enter_ns = 0;
    }
    if (!enter_ns)
        return 0;
    /* rt_sigreturn restores the registers, syscall number included (-1): take the one from entry. */
    int restored = nr == -1;
    if (restored)
        nr = entry_nr;
    else if (entry_nr != nr)
        return 0;
    struct syscall_spec *spec = &sps_specs[(__u32)nr & (MAX_SYSCALLS - 1)];
    if (restored && !(spec->flags & SPEC_SIGRETURN))
        return 0;
    /* A thread killed inside the call by SIGKILL or its group's exit_group never sees the error it returns, and a
     * tracer reports the call unfinished: only its entry goes out, which the thread's end then reports so. (Another
     * fatal signal, e.g. SIGTERM, is also turned into SIGKILL for an untraced group, but a tracer sees the call
     * return first and the signal after: the group exit code, the signal's number, tells them apart.) */
    if (ret < 0 && (task->pending.signal.sig[0] & SIGKILL_MASK)) {
        int code = BPF_CORE_READ(task, signal, group_exit_code);
        if (code == 9 || (code & 0x7f) == 0) {
            sps_enter_copies(nr, enter_ns);
            return 0;
        }
    }
    __u32 hidden = spec->traced == TRACE_TRACK;
    if (cfg.failed_only && !(ret < 0 && ret >= -4095)) {
        /* A success is not reported, but one that changes the descriptor table still goes to the tracer. */
        if (!(spec->flags & SPEC_DESCRIPTORS))
            return 0;
        hidden = 1;
    }
    if ((spec->flags & SPEC_EXEC) && ret == 0)
        return sps_exec_copies(ret, ((__u64)hidden << 63) | (__u32)nr, enter_ns);
    /* One small exit copy (read/write of a few bytes): into a fixed-size record, no scratch copy. */
    __u32 i = (__u32)spec->exit_blobs - 1;
    asm volatile("%[i] &= 7" : [i] "+r"(i));
    if (!missed && spec->exit_blobs && i < 6 && spec->kind[i] < AK_ARRAY) {
        __u8 kind = spec->kind[i];
        __s64 len = -1;
        if (kind == AK_DATA_IN || (kind == AK_BUF_OUT_LEN && ret >= 0)) {
            __u32 want = spec->len_arg[i] < 6 ? (__u32)reg_arg(regs, spec->len_arg[i]) : 0;
            len = want > spec->size[i] ? spec->size[i] : want;
        } else if (kind == AK_BUF_OUT_RET && ret >= 0) {
            len = ret > spec->size[i] ? spec->size[i] : ret;
        } else if (kind == AK_FIXED_OUT && ret >= 0) {
            len = spec->size[i];
        } else {
            len = 0;
        }
        __u64 addr = reg_arg(regs, i);
        __u32 n = len > 0 && len < SMALL_BLOB && addr ? (__u32)len : 0;
        if (n > 0 && n < 8)
            return emit_tiny(task, regs, ((__u64)hidden << 48) | ((__u64)i << 40) | ((__u64)n << 32) | (__u32)nr, ret, enter_ns);
        if (n > 0)
            EMIT_DIRECT(struct small_rec, 0x3f);
        if (len > BLOB_MAX && len < BIG_BLOB && addr) {
            /* Larger than a scratch blob (only getdents64 is given such a size): a record of its own. */
            n = (__u32)len;
            EMIT_DIRECT(struct big_rec, 0x7fff);
        }
        if (len == 0)
            goto plain;
    }
    if (spec->exit_blobs || missed)
        return sps_exit_copies(ret, ((__u64)hidden << 63) | ((__u64)missed << 32) | (__u32)nr, enter_ns);
plain:;
    struct rec *r = bpf_ringbuf_reserve(&sps_events, sizeof(struct rec), 0);
    if (!r) {
        count_drop();
        return 0;
    }
    fill_syscall(r, task, regs, (__s32)nr, ret, enter_ns, bpf_ktime_get_ns());
    r->flags = hidden;
    bpf_ringbuf_submit(r, wake_flag(sizeof(*r)));
    return 0;
}

/* All syscalls: BTF-typed raw tracepoints (direct reads of pt_regs, no probe_read). */
SEC("tp_btf/sys_enter")
int BPF_PROG(sps_raw_enter, struct pt_regs *regs, long id)
{
    return on_enter(id, regs);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sps_raw_exit, struct pt_regs *regs, long ret)
{
#if defined(__TARGET_ARCH_x86)
    __s64 nr = regs->orig_ax;
#else
    __s64 nr = regs->syscallno;
#endif
    return on_exit(nr, ret, regs);
}

/* A few syscalls: the per-syscall tracepoints, so untraced syscalls take the fast path. */
struct sps_tp_enter_ctx {
    __u64 common;
    __s32 nr;
};

struct sps_tp_exit_ctx {
    __u64 common;
    __s32 nr;
    __u32 pad;
    __s64 ret;
};

/* The record holds only the syscall's own arguments; reading past them makes the attach fail, so take them from pt_regs. */
SEC("tracepoint")
int sps_tp_enter(struct sps_tp_enter_ctx *ctx)
{
    return on_enter(ctx->nr, (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()));
}

SEC("tracepoint")
int sps_tp_exit(struct sps_tp_exit_ctx *ctx)
{
    return on_exit(ctx->nr, ctx->ret, (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()));
}

static __always_inline void fill_fork(struct rec *r, struct task_struct *parent, __u32 ctgid, __u64 now)
{
    __builtin_memset(r, 0, sizeof(*r));
    r->type = REC_FORK;
    r->cpu = this_cpu();
    r->size = sizeof(*r);
    r->tgid = parent->tgid;
    r->tid = parent->pid;
    r->nr = -1;
    r->aux = ctgid;
    r->enter_ns = now;
    bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), parent->comm);
}

/* Follows new processes of traced ones. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sps_fork, struct task_struct *parent, struct task_struct *child)
{
    if (cfg.system_wide || !cfg.follow_children)
        return 0;
    __u32 ptgid = parent->tgid;
    __u32 ctgid = child->tgid;
    if (ptgid == ctgid || !bpf_map_lookup_elem(&sps_tgids, &ptgid))
        return 0;
    __u8 one = 1;
    bpf_map_update_elem(&sps_tgids, &ctgid, &one, BPF_ANY);
    __u64 now = bpf_ktime_get_ns();
    /* Two copies: the one in the syscall ring marks where the child begins among the syscall records (it runs
     * only after this), so the tracer copies the parent's descriptor table there, before the child's first
     * call; the one in the small process ring survives a full syscall ring. Either alone reports the child. */
    int written = 0;
    struct rec *r = bpf_ringbuf_reserve(&sps_procs, sizeof(struct rec), 0);
    if (r) {
        fill_fork(r, parent, ctgid, now);
        bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
        written = 1;
    }
    r = bpf_ringbuf_reserve(&sps_events, sizeof(struct rec), 0);
    if (r) {
        fill_fork(r, parent, ctgid, now);
        bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
        written = 1;
    }
    if (!written)
        count_drop();
    return 0;
}

#define SIG_FLAG_GROUP_EXIT 0x4  /* SIGNAL_GROUP_EXIT in signal_struct.flags */

/* aux: the thread's own exit status; for a process's end, the status its parent's wait gets (the group's exit
 * code after exit_group or a fatal signal, else the main thread's), with the last thread's own in ret. */
static __always_inline void fill_exit(struct rec *r, struct task_struct *task, bool group_dead, __u64 now)
{
    __builtin_memset(r, 0, sizeof(*r));
    r->type = group_dead ? REC_PROC_EXIT : REC_THREAD_EXIT;
    r->cpu = this_cpu();
    r->size = sizeof(*r);
    r->tgid = task->tgid;
    r->tid = task->pid;
    r->nr = -1;
    r->aux = (__u32)task->exit_code;
    if (group_dead) {
        r->ret = task->exit_code;
        r->aux = (BPF_CORE_READ(task, signal, flags) & SIG_FLAG_GROUP_EXIT)
            ? (__u32)BPF_CORE_READ(task, signal, group_exit_code)
            : (__u32)BPF_CORE_READ(task, group_leader, exit_code);
    }
    r->enter_ns = now;
    bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), task->comm);
}

/* The end of a traced thread (strace's "+++ exited with 0 +++" for each), and of its process when it is the last
 * of its group. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sps_exit, struct task_struct *task, bool group_dead)
{
    if (cfg.system_wide)
        return 0;
    __u32 tgid = task->tgid;
    if (!bpf_map_lookup_elem(&sps_tgids, &tgid))
        return 0;
    __u64 now = bpf_ktime_get_ns();
    /* First into the syscall ring, after the thread's last syscall records: the exit keeps its place among them.
     * A process's end is also written to the small process ring, which survives a full syscall ring; the tracer
     * takes whichever copy comes first (both carry the same time). */
    struct rec *r = bpf_ringbuf_reserve(&sps_events, sizeof(struct rec), 0);
    if (r) {
        fill_exit(r, task, group_dead, now);
        bpf_ringbuf_submit(r, group_dead ? BPF_RB_NO_WAKEUP : wake_flag(sizeof(*r)));
    } else if (!group_dead) {
        count_drop();
    }
    if (!group_dead)
        return 0;
    bpf_map_delete_elem(&sps_tgids, &tgid);
    r = bpf_ringbuf_reserve(&sps_procs, sizeof(struct rec), 0);
    if (!r) {
        count_drop();
        return 0;
    }
    fill_exit(r, task, group_dead, now);
    bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
    return 0;
}

/*
 * Signals, as strace -f shows them ("--- SIGCHLD {...} ---"). A tracer sees a signal when its tracee dequeues
 * it; two kinds of signal never get there without a tracer, so they are reported where they are generated:
 * one the receiver ignores (SIG_IGN, or SIG_DFL of SIGCHLD, SIGCONT, SIGWINCH, SIGURG), which the kernel
 * drops at once unless the receiver is ptraced, and a fatal one without a handler, which ends the whole
 * group at once (the threads then dequeue only SIGKILL). Both go to the events ring: a delivered signal
 * is written by the receiving thread itself, so it keeps its place between that thread's syscalls; a
 * generated one carries its time, by which the consumer places it among the receiver's syscalls.
 */
#define SIGINFO_BYTES 48         /* struct kernel_siginfo */
#define SIG_KILL 9
#define SI_CODE_USER 0
#define SI_CODE_KERNEL 0x80

enum sig_origin {
    SIG_DELIVERED = 0,   /* dequeued by the receiving thread (tp signal_deliver) */
    SIG_GENERATED = 1,   /* never dequeued: reported when sent (tp signal_generate) */
    SIG_STOPPED = 2,     /* the receiving thread entered a group-stop on this stop signal (tp sched_switch) */
};

struct sig_rec {
    struct rec head;     /* aux: the signal; ret: enum sig_origin; enter_ns: when */
    __u8 info[SIGINFO_BYTES];
};

/* Never read: one variable of each record type, in a section libbpf skips, so that the object's BTF describes
 * the layouts the C# mirrors in EbpfRecords.cs and EbpfArgumentSpecs.cs are checked against (EbpfRecordLayoutTests). */
#define BTF_ANCHOR __attribute__((section("btf_anchors"), used))
BTF_ANCHOR struct rec sps_anchor_rec = { .type = 1 };
BTF_ANCHOR struct blob sps_anchor_blob = { .len = 1 };
BTF_ANCHOR struct sig_rec sps_anchor_sig_rec = { .info = { 1 } };
BTF_ANCHOR enum rec_type sps_anchor_rec_type = 1;
BTF_ANCHOR enum sig_origin sps_anchor_sig_origin = SIG_GENERATED;
BTF_ANCHOR enum arg_kind sps_anchor_arg_kind = AK_STR;

/* The process filter for a task other than the current one (a signal's receiver). */
static __always_inline int task_traced(struct task_struct *task)
{
    __u32 tgid = BPF_CORE_READ(task, tgid);
    if (cfg.system_wide) {
        if (tgid == cfg.self_tgid)
            return 0;
    } else if (!bpf_map_lookup_elem(&sps_tgids, &tgid)) {
        return 0;
    }
    if (cfg.comm_filter && !comm_allowed(task))
        return 0;
    if (cfg.cgroup_filter && !cgroup_allowed(task))
        return 0;
    return 1;
}

static __always_inline void emit_signal(struct task_struct *task, int sig, struct kernel_siginfo *info, __u32 origin)
{
    struct sig_rec *r = bpf_ringbuf_reserve(&sps_events, sizeof(*r), 0);
    if (!r) {
        count_drop();
        return;
    }
    __builtin_memset(r, 0, sizeof(*r));
    r->head.type = REC_SIGNAL;
    r->head.cpu = this_cpu();
    r->head.size = sizeof(*r);
    r->head.tgid = BPF_CORE_READ(task, tgid);
    r->head.tid = BPF_CORE_READ(task, pid);
    r->head.nr = -1;
    r->head.aux = (__u32)sig;
    r->head.ret = origin;
    r->head.enter_ns = bpf_ktime_get_ns();
    bpf_probe_read_kernel_str(r->head.comm, sizeof(r->head.comm), BPF_CORE_READ(task, comm));
    int *words = (int *)r->info;
    if ((unsigned long)info > 1) {
        bpf_probe_read_kernel(r->info, sizeof(r->info), info);
    } else {
        /* SEND_SIG_NOINFO (0): sent by the current process; SEND_SIG_PRIV (1): by the kernel. The kernel
         * builds the queued siginfo the same way. */
        words[0] = sig;
        words[2] = info ? SI_CODE_KERNEL : SI_CODE_USER;
        if (!info) {
            words[4] = (int)(bpf_get_current_pid_tgid() >> 32);
            words[5] = (int)(__u32)bpf_get_current_uid_gid();
        }
    }
    bpf_ringbuf_submit(r, wake_flag(sizeof(*r)));
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(sps_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
    /* A tracer never stops for SIGKILL; it is also what every thread of an ending group dequeues. */
    if (sig == SIG_KILL)
        return 0;
    struct task_struct *task = bpf_get_current_task_btf();
    if (!process_traced(task->tgid))
        return 0;
    emit_signal(task, sig, info, SIG_DELIVERED);
    return 0;
}

#define TASK_STOPPED_BIT 0x4        /* __TASK_STOPPED in task_struct.__state */
#define JOBCTL_STOP_SIGMASK 0xffff  /* the stop signal of a pending or current group-stop, in task_struct.jobctl */

/* A task leaves this CPU: its syscall in flight, if any, moves to its storage (which a traced task has), and
 * the slot forgets it, so the next task starts afresh. A traced task that leaves it to sleep in TASK_STOPPED
 * has entered a group-stop (do_signal_stop): strace's "--- stopped by SIGSTOP ---", written by the thread
 * itself so it keeps its place after its last record. A preempted task is still runnable whatever its state
 * says, and stops at its own schedule() after. Only the arguments every kernel since 5.17 passes are named
 * (prev_state came in 5.18). */
SEC("tp_btf/sched_switch")
int BPF_PROG(sps_switch, bool preempt, struct task_struct *prev)
{
    struct cpu_slot *slot = this_cpu_slot();
    if (!slot)
        return 0;
    if (slot->enter_ns && slot->task == (__u64)prev) {
        struct in_flight *f = bpf_task_storage_get(&sps_flights, prev, 0, 0);
        if (f) {
            f->enter_ns = slot->enter_ns;
            f->nr = slot->nr;
            f->missed = slot->missed;
        } else {
            count_drop();
        }
    }
    slot->task = 0;
    slot->enter_ns = 0;
    if (cfg.signals && !preempt && (prev->__state & TASK_STOPPED_BIT) && process_traced(prev->tgid))
        emit_signal(prev, (int)(prev->jobctl & JOBCTL_STOP_SIGMASK), 0, SIG_STOPPED);
    return 0;
}

/* A raw tracepoint: its arguments are plain values, so info may be tested against SEND_SIG_NOINFO/PRIV
 * (a BTF tracepoint's pointer arguments count as never NULL, and the verifier drops such a test). */
SEC("raw_tp/signal_generate")
int BPF_PROG(sps_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task, int group, int result)
{
    if (sig == SIG_KILL || !task)
        return 0;
    unsigned int flags = BPF_CORE_READ(task, signal, flags);
    if (result == TRACE_SIGNAL_IGNORED) {
        /* An ending group drops every signal, traced or not. */
        if (flags & SIG_FLAG_GROUP_EXIT)
            return 0;
    } else if (result == TRACE_SIGNAL_DELIVERED) {
        /* Only the signal that has just ended the group (complete_signal's shortcut for a fatal one). */
        if (!(flags & SIG_FLAG_GROUP_EXIT) || BPF_CORE_READ(task, signal, group_exit_code) != sig)
            return 0;
    } else {
        return 0;
    }
    if (!task_traced(task))
        return 0;
    emit_signal(task, sig, info, SIG_GENERATED);
    return 0;
}
