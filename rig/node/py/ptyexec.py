"""`kubectl exec -t` on the kuray local node: runs a command on a pseudo-terminal.

    python ptyexec.py CMD [ARG...]

stdin (when it is a pipe) goes to the terminal, the terminal's output to stdout (a TTY merges
stderr, as in a container), terminal sizes arrive on fd 3 as JSON lines {"cols": c, "rows": r}.
Exits with the command's exit code (128 + n when a signal ended it).
"""

import fcntl
import json
import os
import pty
import select
import stat
import struct
import sys
import termios


def set_size(fd, line):
    try:
        size = json.loads(line)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", int(size["rows"]), int(size["cols"]), 0, 0))
    except (ValueError, KeyError, OSError):
        pass


def main():
    argv = sys.argv[1:]
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            os.write(2, f'exec: "{argv[0]}": {e.strerror}\r\n'.encode())
            os._exit(127 if e.errno == 2 else 126)
    watch = [master]
    if stat.S_ISFIFO(os.fstat(0).st_mode) or stat.S_ISSOCK(os.fstat(0).st_mode):
        watch.append(0)
    try:
        os.fstat(3)
        watch.append(3)
    except OSError:
        pass
    pending = b""
    while master in watch:
        readable, _, _ = select.select(watch, [], [])
        for fd in readable:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's last user is gone
                data = b""
            if fd == master:
                if not data:
                    watch.remove(master)
                else:
                    os.write(1, data)
            elif fd == 0:
                if not data:
                    watch.remove(0)
                    os.write(master, b"\x04")  # end of input, as a terminal user types it
                else:
                    os.write(master, data)
            else:
                if not data:
                    watch.remove(3)
                    continue
                pending += data
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    set_size(master, line)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
