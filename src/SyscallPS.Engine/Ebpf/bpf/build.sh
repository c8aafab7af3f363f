#!/bin/sh
# Regenerates syscallps.bpf.o (committed, embedded in SyscallPS.Engine) from syscallps.bpf.c.
# Needs clang (14+), bpftool (for vmlinux.h from the running kernel's BTF) and libbpf's headers
# (apt-get install clang-14 bpftool libbpf-dev). vmlinux.h is generated, never committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
CLANG=${CLANG:-$(command -v clang-14 || command -v clang)}
ARCH=$(uname -m)
case "$ARCH" in
    x86_64) TARGET_ARCH=x86 ;;
    aarch64) TARGET_ARCH=arm64 ;;
    *) echo "unsupported architecture $ARCH" >&2; exit 1 ;;
esac
if [ ! -s vmlinux.h ]; then
    bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h.tmp
    mv vmlinux.h.tmp vmlinux.h
fi
"$CLANG" -O2 -g -target bpf -D__TARGET_ARCH_$TARGET_ARCH -Wall -Werror -c syscallps.bpf.c -o syscallps.bpf.o.tmp
# Drop DWARF (BTF stays): the object is embedded in the assembly.
llvm-strip-14 -g syscallps.bpf.o.tmp 2>/dev/null || llvm-strip -g syscallps.bpf.o.tmp
mv syscallps.bpf.o.tmp syscallps.bpf.o
sha256sum syscallps.bpf.c | cut -d' ' -f1 > syscallps.bpf.c.sha256
echo "built $(pwd)/syscallps.bpf.o"
