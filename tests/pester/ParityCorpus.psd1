# The parity corpus of Parity.Tests.ps1 (issue 10): real programs traced by both engines (ParityCorpus.ps1 runs
# and compares them).
# Each program runs in the same freshly made working directory (Initialize-ParityWork) under both engines, after
# one untraced run (caches and first-run files are then warm for both). Floor: the share of its lines (percent) a
# program must have identical under both engines, 98 unless its processes or threads race each other (Why); two
# lines may always differ (a SIGCHLD that lands before or after a wait4). The gate is the corpus's total, 99.5
# percent, over the programs not marked Gate = $false (whose calls depend on timing alone).
# Fixture: a program of tests/fixtures, by name.
@{
    Programs = @(
        @{ Name = 'true'; FilePath = 'true' },
        @{ Name = 'ls -la /etc'; FilePath = 'ls'; ArgumentList = '-la', '/etc' },
        @{ Name = 'cat'; FilePath = 'cat'; ArgumentList = 'a.txt', 'sub/c.txt' },
        @{ Name = 'head'; FilePath = 'head'; ArgumentList = '-n', '3', 'a.txt' },
        @{ Name = 'sort'; FilePath = 'sort'; ArgumentList = 'a.txt' },
        @{ Name = 'wc'; FilePath = 'wc'; ArgumentList = 'a.txt', 'b.txt' },
        @{ Name = 'cp'; FilePath = 'cp'; ArgumentList = 'a.txt', 'copy.txt' },
        @{ Name = 'mv'; FilePath = 'mv'; ArgumentList = 'b.txt', 'moved.txt' },
        @{ Name = 'rm'; FilePath = 'rm'; ArgumentList = '-r', 'sub' },
        @{ Name = 'mkdir -p'; FilePath = 'mkdir'; ArgumentList = '-p', 'x/y/z' },
        @{ Name = 'ln -s'; FilePath = 'ln'; ArgumentList = '-s', 'a.txt', 'link' },
        @{ Name = 'stat'; FilePath = 'stat'; ArgumentList = 'a.txt', 'sub' },
        @{ Name = 'touch'; FilePath = 'touch'; ArgumentList = 'new.txt', 'a.txt' },
        @{ Name = 'date'; FilePath = 'date'; ArgumentList = '-u', '+%Y' },
        @{ Name = 'id'; FilePath = 'id' },
        @{ Name = 'env'; FilePath = 'env' },
        @{ Name = 'uname'; FilePath = 'uname'; ArgumentList = '-a' },
        @{ Name = 'readlink -f'; FilePath = 'readlink'; ArgumentList = '-f', '/proc/self/exe' },
        @{ Name = 'sha256sum'; FilePath = 'sha256sum'; ArgumentList = 'a.txt', 'b.txt' },
        @{ Name = 'tar c | tar t'; FilePath = 'sh'; ArgumentList = '-c', 'tar cf - a.txt sub | tar tvf -' },
        @{ Name = 'gzip, gunzip'; FilePath = 'sh'; ArgumentList = '-c', 'gzip -n -k a.txt && gunzip -c a.txt.gz > a.out' },
        @{ Name = 'echo | tr | sort | uniq'; FilePath = 'sh'; ArgumentList = '-c', 'echo b a b c | tr " " "\n" | sort | uniq -c' },
        @{ Name = 'sh subshells and forks'; Floor = 95
           Why = 'whether the background job has ended when the shell reaches wait (and so whether it suspends for it) is the scheduler''s'
           FilePath = 'sh'; ArgumentList = '-c', '(cd sub && cat c.txt); x=$(wc -l < a.txt); echo $x > n.txt; true & wait' },
        @{ Name = 'find -maxdepth 1'; FilePath = 'find'; ArgumentList = '/etc', '-maxdepth', '1', '-name', '*.conf' },
        @{ Name = 'dd'; FilePath = 'dd'; ArgumentList = 'if=a.txt', 'of=dd.out', 'bs=16', 'status=none' },
        @{ Name = 'seq | xargs'; FilePath = 'sh'; ArgumentList = '-c', 'seq 1 5 | xargs -n 2 echo' },
        @{ Name = 'sleep 0.01'; FilePath = 'sleep'; ArgumentList = '0.01' },
        @{ Name = 'python3 files'; FilePath = '/usr/bin/python3'; ArgumentList = '-S', '-c', 'import os; f = open("py.txt", "w"); f.write("hello\n"); f.close(); os.rename("py.txt", "py2.txt"); print(open("py2.txt").read().strip(), os.listdir("sub"))' },
        @{ Name = 'python3 sockets'; FilePath = '/usr/bin/python3'; ArgumentList = '-S', '-c', 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); c = socket.create_connection(s.getsockname()); a, _ = s.accept(); c.sendall(b"ping"); print(a.recv(4)); a.close(); c.close(); s.close(); u = socket.socketpair(); u[0].send(b"x"); print(u[1].recv(1))' },
        @{ Name = 'python3 threads'; Floor = 80; Gate = $false
       Why = 'the interpreter lock passes between threads through futexes whose waits, wakes and results, and which thread first needs a malloc arena, depend on which thread runs first'
       FilePath = '/usr/bin/python3'; ArgumentList = '-S', '-c', 'import threading, os; [(t := threading.Thread(target=os.stat, args=("a.txt",)), t.start(), t.join()) for i in range(3)]' },
        @{ Name = 'thread_names (prctl PR_SET_NAME)'; Fixture = 'thread_names'; Floor = 80
       Why = 'three threads open and close /dev/null at once: the descriptor number each gets, and which thread the join still waits for, are the scheduler''s' },
        @{ Name = 'accept_specific (127.0.0.3)'; Fixture = 'accept_specific' },
        @{ Name = 'forker (fork, clone3 thread)'; Fixture = 'forker' },
        @{ Name = 'vforker'; Fixture = 'vforker' },
        @{ Name = 'conf_copies (memory the eBPF kernel program copies)'; Fixture = 'conf_copies' },
        @{ Name = 'python3 subprocess (vfork, PATH search)'; FilePath = '/usr/bin/python3'; ArgumentList = '-S', '-c', 'import subprocess; subprocess.run(["true"])' },
        @{ Name = 'python3 os.posix_spawn (clone3 CLONE_VFORK)'; FilePath = '/usr/bin/python3'; ArgumentList = '-S', '-c', 'import os; os.posix_spawn("/bin/true", ["true"], {}); os.wait()' }

    )
}
