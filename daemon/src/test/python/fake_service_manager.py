#!/usr/bin/python3
"""A stand-in for systemd, for the tests that SIGKILL pinbrokerd under load (ChaosFdStoreIT).

    fake_service_manager.py SOCKET NOTIFY_SOCKET COMMAND [ARGS...]

It plays a socket unit and a Type=notify service with Restart=always and an fd store:

- it binds and listens on SOCKET (SOCK_SEQPACKET), the listening socket, which it keeps, so that
  clients connect (and wait in its backlog) while no broker runs;
- it binds the datagram socket NOTIFY_SOCKET and starts COMMAND with NOTIFY_SOCKET set and, the
  way systemd passes them (sd_listen_fds_with_names(3)), LISTEN_PID, LISTEN_FDS and
  LISTEN_FDNAMES for the listening socket, named "api", at fd 3 and then every fd in its store,
  by FDNAME, at 4, 5, ...;
- it keeps the fds of FDSTORE=1 messages under their FDNAME= (several may share a name),
  drops and closes every fd of a name on FDSTOREREMOVE=1, and answers BARRIER=1 by closing the
  pipe fd that comes with it once everything sent before has been handled (messages are handled
  one at a time, in order, so at once);
- when the command exits, however it ends, it handles what the dead process left queued on
  NOTIFY_SOCKET and starts it again with the store.

The command's stdin is /dev/null and its stdout goes where the manager's stderr goes. The
manager says what happens on stdout, one line per event: "started PID FDS" (FDS: how many fds it
passed), "ready PID" (READY=1), "exited PID STATUS". Commands come on stdin, one per line:
"kill" sends SIGKILL to the running command; "stop" sends it SIGTERM, waits for it to end and
exits. At end of input without a "stop" it kills the command and exits, so that it never outlives
the test.
"""
import array
import os
import resource
import select
import signal
import socket
import sys

MAX_FDS_PER_MESSAGE = 768  # what systemd takes in one message
FD_SIZE = array.array("i").itemsize


def say(*words):
    print(*words, flush=True)


class Manager:
    def __init__(self, socket_path, notify_path, command):
        self.notify_path = notify_path
        self.command = command
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.listener.bind(socket_path)
        self.listener.listen(512)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(notify_path)
        self.notify.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.store = []  # (name, fd), in the order stored
        self.pid = 0
        self.stopping = False

    def start(self):
        fds = [self.listener.fileno()] + [fd for _, fd in self.store]
        names = ["api"] + [name for name, _ in self.store]
        pid = os.fork()
        if pid == 0:
            try:
                self.exec_child(fds, names)
            finally:
                os._exit(127)
        self.pid = pid
        say("started", pid, len(fds))

    def exec_child(self, fds, names):
        # stdin from /dev/null (not the manager's commands), stdout to the manager's stderr
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(2, 1)
        # Move everything out of the way first, then into place: 3, 4, ...
        base = max(3 + len(fds), max(fds) + 1, null + 1)
        moved = [os.dup2(fd, base + i) for i, fd in enumerate(fds)]
        for i, fd in enumerate(moved):
            os.dup2(fd, 3 + i)
        os.closerange(3 + len(fds), resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        env = dict(os.environ)
        env.update(
            NOTIFY_SOCKET=self.notify_path,
            LISTEN_PID=str(os.getpid()),
            LISTEN_FDS=str(len(fds)),
            LISTEN_FDNAMES=":".join(names),
        )
        os.execve(self.command[0], self.command, env)

    def handle(self, data, fds):
        fields = {}
        for line in data.decode("utf-8", "replace").split("\n"):
            key, eq, value = line.partition("=")
            if eq:
                fields[key] = value
        if fields.get("BARRIER") == "1":
            for fd in fds:
                os.close(fd)  # everything sent before this has been handled
            return
        if fields.get("FDSTORE") == "1":
            name = fields.get("FDNAME", "stored")
            self.store.extend((name, fd) for fd in fds)
            return
        for fd in fds:
            os.close(fd)
        if fields.get("FDSTOREREMOVE") == "1":
            name = fields.get("FDNAME")
            for _, fd in [e for e in self.store if e[0] == name]:
                os.close(fd)
            self.store = [e for e in self.store if e[0] != name]
        if fields.get("READY") == "1":
            say("ready", self.pid)

    def receive(self, block):
        """Handles queued messages; returns how many."""
        count = 0
        while True:
            flags = socket.MSG_CMSG_CLOEXEC | (0 if block and count == 0 else socket.MSG_DONTWAIT)
            try:
                # not socket.recv_fds: before Python 3.12 it ignores its flags
                data, ancillary, _, _ = self.notify.recvmsg(
                    65536, socket.CMSG_SPACE(MAX_FDS_PER_MESSAGE * FD_SIZE), flags)
            except BlockingIOError:
                return count
            fds = array.array("i")
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(payload[: len(payload) - len(payload) % FD_SIZE])
            self.handle(data, list(fds))
            count += 1

    def reap(self):
        while self.pid:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid == 0:
                return
            self.receive(block=False)  # what it sent before it died
            say("exited", pid, status)
            self.pid = 0
            if not self.stopping:
                self.start()

    def command_line(self, line):
        """A line from stdin; "" at its end."""
        word = line.strip()
        if word == "kill" and self.pid:
            os.kill(self.pid, signal.SIGKILL)
        elif word == "stop":
            self.stopping = True
            if self.pid:
                os.kill(self.pid, signal.SIGTERM)
        elif line == "" and not self.stopping:
            self.stopping = True  # whoever drives this is gone: end everything now
            if self.pid:
                os.kill(self.pid, signal.SIGKILL)

    def run(self):
        self.start()
        stdin_open = True
        pending = b""
        while self.pid or not self.stopping:
            watched = [self.notify.fileno()] + ([0] if stdin_open else [])
            ready, _, _ = select.select(watched, [], [], 0.05)
            if self.notify.fileno() in ready:
                self.receive(block=True)
            if 0 in ready:
                data = os.read(0, 4096)  # not sys.stdin: its buffer would hide lines from select
                if not data:
                    stdin_open = False
                    self.command_line("")
                pending += data
                while b"\n" in pending:
                    line, _, pending = pending.partition(b"\n")
                    self.command_line(line.decode() or "-")
            self.reap()
        for _, fd in self.store:
            os.close(fd)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    Manager(argv[1], argv[2], argv[3:]).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
