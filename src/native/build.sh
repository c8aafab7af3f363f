#!/usr/bin/env bash
# Builds the native launcher into src/native/out/<arch>/. The compiled x86_64 binary is committed
# (like the BPF object) so a machine without a C compiler can still build the module.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
arch=$(uname -m)
out="$here/out/$arch"
mkdir -p "$out"
cc=${CC:-$(command -v cc || command -v gcc || true)}
if [ -z "$cc" ]; then
    if [ -x "$out/syscallps-launch" ]; then
        echo "native: no C compiler; using the committed $out/syscallps-launch"
        exit 0
    fi
    echo "native: no C compiler and no committed launcher for $arch; install gcc (apt-get install gcc)" >&2
    exit 1
fi
if [ "$out/syscallps-launch" -nt "$here/syscallps-launch.c" ]; then exit 0; fi
"$cc" -O2 -Wall -Wextra -Werror -static -o "$out/syscallps-launch.tmp" "$here/syscallps-launch.c" 2>/dev/null \
  || "$cc" -O2 -Wall -Wextra -Werror -o "$out/syscallps-launch.tmp" "$here/syscallps-launch.c"
strip "$out/syscallps-launch.tmp" 2>/dev/null || true
mv "$out/syscallps-launch.tmp" "$out/syscallps-launch"
echo "native: built $out/syscallps-launch"
