#!/usr/bin/env python3
"""Exercises a running pinbrokerd through pinbroker_client.py, a client written from PROTOCOL.md.

Usage: python3 python_client_check.py SOCKET_PATH

Prints one line per check ("ok - ..." or "FAIL - ..."), then the pinned memfd's identity as
"python identity: DEV:INO" (decimal st_dev and st_ino), then exactly one summary line
"python client: N passed, M failed". Exits 0 if every check passed, 1 otherwise, 2 on a usage
error. Works under /py, which it removes again.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import struct
import sys

sys.dont_write_bytecode = True  # keep the source tree clean when a build runs this script
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pinbroker_client as pb  # noqa: E402

ROOT = "/py"
CONTENT = b"from-python"


class CheckFailed(Exception):
    pass


def expect(cond: bool, message: str) -> None:
    if not cond:
        raise CheckFailed(message)


def expect_status(status: int, fn, *args, **kwargs) -> pb.PinbrokerError:
    """Runs fn and requires it to be refused with `status`."""
    try:
        result = fn(*args, **kwargs)
    except pb.PinbrokerError as e:
        expect(
            e.status == status,
            f"expected status {status} ({pb.STATUS_NAMES.get(status)}), got {e}",
        )
        return e
    if isinstance(result, tuple) and result and isinstance(result[0], int):
        os.close(result[0])  # an fd from an unexpected GET success
    raise CheckFailed(f"expected status {status} ({pb.STATUS_NAMES.get(status)}), got success")


def new_memfd(name: str, content: bytes) -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    os.write(fd, content)
    return fd


def identity(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def access_mode(fd: int) -> int:
    return fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE


class Checks:
    def __init__(self, socket_path: str):
        self.socket_path = socket_path
        self.passed = 0
        self.failed = 0
        self.client: pb.Client | None = None
        self.memfd = -1
        self.other = -1
        self.identity: tuple[int, int] | None = None

    def check(self, name: str, fn) -> bool:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - any failure is reported, the run goes on
            self.failed += 1
            print(f"FAIL - {name}: {type(e).__name__}: {e}", flush=True)
            return False
        self.passed += 1
        print(f"ok - {name}", flush=True)
        return True

    @property
    def c(self) -> pb.Client:
        if self.client is None:
            raise CheckFailed("no connection to the broker")
        return self.client

    # ---- the checks, in order ----

    def hello(self) -> None:
        self.client = pb.Client(self.socket_path)
        c = self.client
        expect(c.version == 1, f"version {c.version}, want 1")
        expect(c.max_fds == 253, f"max_fds {c.max_fds}, want 253")
        expect(c.max_frame_bytes == 65536, f"max_frame_bytes {c.max_frame_bytes}, want 65536")
        expect(c.features & ~pb.FEATURE_REOPEN == 0, f"unrequested features {c.features:#x}")
        expect(c.peer_pid == os.getpid(), f"broker sees pid {c.peer_pid}, we are {os.getpid()}")
        expect(c.peer_uid == os.getuid(), f"broker sees uid {c.peer_uid}, we are {os.getuid()}")
        expect(c.peer_gid == os.getgid(), f"broker sees gid {c.peer_gid}, we are {os.getgid()}")

    def preclean(self) -> None:
        """Removes a /py left by an earlier run (not counted as a check)."""
        try:
            self.remove_tree(ROOT)
        except pb.PinbrokerError as e:
            if e.status != errno.ENOENT:
                raise

    def remove_tree(self, path: str) -> None:
        for name, info in self.c.list(path):
            child = path + "/" + name
            if info.is_directory:
                self.remove_tree(child)
            else:
                self.c.unlink(child)
        self.c.rmdir(path)

    def mkdir(self) -> None:
        info = self.c.mkdir(ROOT, 0o755)
        expect(info.is_directory, f"type {info.type}, want directory")
        expect(info.mode == 0o755, f"mode {info.mode:o}, want 755")
        expect(info.uid == os.getuid(), f"owner {info.uid}, want {os.getuid()}")
        expect(info.children == 0, f"children {info.children}, want 0")
        expect(info.generation > 0, f"generation {info.generation}, want > 0")

    def pin(self) -> None:
        self.memfd = new_memfd("py-check", CONTENT)
        self.identity = identity(self.memfd)
        print(f"python identity: {self.identity[0]}:{self.identity[1]}", flush=True)
        info = self.c.pin(ROOT + "/m", self.memfd, 0o640)
        expect(info.type == pb.NODE_ENTRY, f"type {info.type}, want entry")
        expect(info.kind == pb.KIND_FD, f"kind {info.kind}, want fd")
        expect(info.fd_type_name == "memfd", f"fd_type {info.fd_type_name}, want memfd")
        expect(info.mode == 0o640, f"mode {info.mode:o}, want 640")
        expect((info.dev, info.ino) == self.identity, f"dev:ino {info.dev}:{info.ino}")
        expect(info.size == len(CONTENT), f"size {info.size}, want {len(CONTENT)}")

    def pin_again(self) -> None:
        expect_status(errno.EEXIST, self.c.pin, ROOT + "/m", self.memfd, 0o640)

    def get_read_write(self) -> None:
        fd, info, handout = self.c.get(ROOT + "/m", read_only=False)
        try:
            expect(handout == pb.HANDOUT_REOPENED, f"handout {handout}, want REOPENED")
            expect(identity(fd) == self.identity, f"identity {identity(fd)} != {self.identity}")
            expect(access_mode(fd) == os.O_RDWR, f"access mode {access_mode(fd)}, want O_RDWR")
            expect(not os.get_inheritable(fd), "received fd is not close-on-exec")
            expect((info.dev, info.ino) == self.identity, "reply info names another object")
        finally:
            os.close(fd)

    def get_read_only(self) -> None:
        fd, info, handout = self.c.get(ROOT + "/m", read_only=True)
        try:
            expect(handout == pb.HANDOUT_REOPENED, f"handout {handout}, want REOPENED")
            expect(identity(fd) == self.identity, f"identity {identity(fd)} != {self.identity}")
            expect(access_mode(fd) == os.O_RDONLY, f"access mode {access_mode(fd)}, want O_RDONLY")
            try:
                os.write(fd, b"x")
            except OSError:
                pass
            else:
                raise CheckFailed("os.write on a read-only fd succeeded")
            data = os.pread(fd, 64, 0)
            expect(data == CONTENT, f"read back {data!r}, want {CONTENT!r}")
        finally:
            os.close(fd)

    def stat(self) -> None:
        info = self.c.stat(ROOT + "/m")
        expect(info.generation > 0, f"generation {info.generation}, want > 0")
        expect(info.mode == 0o640, f"mode {info.mode:o}, want 640")
        expect((info.dev, info.ino) == self.identity, f"dev:ino {info.dev}:{info.ino}")
        parent = self.c.stat(ROOT)
        expect(parent.children == 1, f"{ROOT} has {parent.children} children, want 1")

    def list_contains(self) -> None:
        names = [name for name, _ in self.c.list(ROOT)]
        expect("m" in names, f"list {ROOT} = {names}, missing 'm'")

    def list_paging(self) -> None:
        d = ROOT + "/page"
        self.c.mkdir(d, 0o755)
        for name in ("c", "a", "b"):  # pinned out of order on purpose
            fd = new_memfd("py-page-" + name, name.encode())
            try:
                self.c.pin(d + "/" + name, fd, 0o600)
            finally:
                os.close(fd)
        pages = []
        after = ""
        for _ in range(4):
            entries, more = self.c.list_page(d, after, 1)
            pages.append(([n for n, _ in entries], more))
            if not more:
                break
            after = entries[-1][0]
        want = [(["a"], True), (["b"], True), (["c"], False)]
        expect(pages == want, f"pages {pages}, want {want}")
        everything = [n for n, _ in self.c.list(d)]
        expect(everything == ["a", "b", "c"], f"list {everything}")

    def rename_exchange(self) -> None:
        self.other = new_memfd("py-other", b"other")
        other_id = identity(self.other)
        self.c.pin(ROOT + "/n", self.other, 0o600)
        self.c.rename(ROOT + "/m", ROOT + "/n", pb.RENAME_EXCHANGE)
        m = self.c.stat(ROOT + "/m")
        n = self.c.stat(ROOT + "/n")
        expect((m.dev, m.ino) == other_id, "after exchange /py/m is not the other memfd")
        expect((n.dev, n.ino) == self.identity, "after exchange /py/n is not the first memfd")
        expect(n.mode == 0o640, f"the exchanged entry lost its mode: {n.mode:o}")

    def rename_noreplace(self) -> None:
        expect_status(
            errno.EEXIST, self.c.rename, ROOT + "/m", ROOT + "/n", pb.RENAME_NOREPLACE
        )

    def unlink_then_get(self) -> None:
        self.c.unlink(ROOT + "/m")
        expect_status(errno.ENOENT, self.c.get, ROOT + "/m", True)

    def dotdot(self) -> None:
        expect_status(errno.EINVAL, self.c.stat, ROOT + "/../py")

    def long_component(self) -> None:
        expect_status(errno.ENAMETOOLONG, self.c.stat, ROOT + "/" + "x" * 256)

    def rmdir_not_empty(self) -> None:
        expect_status(errno.ENOTEMPTY, self.c.rmdir, ROOT)

    def unknown_opcode(self) -> None:
        e = expect_status(errno.ENOSYS, self.c.raw_call, 0x7F, b"")
        expect(e.opcode == 0x7F, f"ENOSYS reply carries opcode {e.opcode}, want 0x7f")
        self.c.stat(ROOT)  # the connection stays usable

    def missing_fd(self) -> None:
        body = (
            struct.pack("<H", len(ROOT + "/nofd"))
            + (ROOT + "/nofd").encode()
            + struct.pack("<IIIQ", 0o600, 0xFFFFFFFF, 0, 0)
        )
        expect_status(errno.EBADF, self.c.raw_call, pb.OP_PIN, body)
        expect_status(errno.ENOENT, self.c.stat, ROOT + "/nofd")

    def violation_before_hello(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_CLOEXEC)
        try:
            s.settimeout(10)
            s.connect(self.socket_path)
            body = struct.pack("<H", 1) + b"/"
            s.send(struct.pack("<HBBIHBBI", pb.MAGIC, pb.OP_STAT, 0, 5, 0, 0, 0, len(body)) + body)
            reply = s.recv(pb.MAX_FRAME_BYTES)
            magic, op, flags, rid, status, fds, _, blen = struct.unpack_from("<HBBIHBBI", reply)
            expect(
                (magic, op, flags, rid, status, fds) == (pb.MAGIC, 0, 1, 0, 71, 0),
                f"violation reply header {(hex(magic), op, flags, rid, status, fds)}",
            )
            expect(blen == len(reply) - 16, "violation reply body_length mismatch")
            expect(s.recv(pb.MAX_FRAME_BYTES) == b"", "the broker kept the connection open")
        finally:
            s.close()

    def cleanup(self) -> None:
        self.remove_tree(ROOT)
        expect_status(errno.ENOENT, self.c.stat, ROOT)
        names = [name for name, _ in self.c.list("/")]
        expect("py" not in names, f"list / still shows py: {names}")

    def run(self) -> int:
        if not self.check("hello", self.hello):
            return self.finish()
        try:
            self.preclean()
        except Exception as e:  # noqa: BLE001
            print(f"warning: could not remove an old {ROOT}: {e}", flush=True)
        steps = [
            ("mkdir /py 0755", self.mkdir),
            ("pin memfd at /py/m mode 0640", self.pin),
            ("pin again -> 17 EEXIST", self.pin_again),
            ("get read-write: same dev:ino, O_RDWR, close-on-exec", self.get_read_write),
            ("get read-only: write fails, pread reads back", self.get_read_only),
            ("stat: generation > 0, mode 0640", self.stat),
            ("list /py contains m", self.list_contains),
            ("list paging limit=1 over three entries", self.list_paging),
            ("rename exchange", self.rename_exchange),
            ("rename noreplace onto an existing name -> 17 EEXIST", self.rename_noreplace),
            ("unlink then get -> 2 ENOENT", self.unlink_then_get),
            ("path with .. -> 22 EINVAL", self.dotdot),
            ("256-byte component -> 36 ENAMETOOLONG", self.long_component),
            ("rmdir non-empty -> 39 ENOTEMPTY", self.rmdir_not_empty),
            ("unknown opcode -> 38 ENOSYS, connection stays", self.unknown_opcode),
            ("PIN without its fd -> 9 EBADF", self.missing_fd),
            ("request before HELLO -> EPROTO reply and close", self.violation_before_hello),
            ("cleanup", self.cleanup),
        ]
        for name, fn in steps:
            self.check(name, fn)
        return self.finish()

    def finish(self) -> int:
        for fd in (self.memfd, self.other):
            if fd >= 0:
                os.close(fd)
        if self.client is not None:
            self.client.close()
        print(f"python client: {self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} SOCKET_PATH", file=sys.stderr)
        return 2
    return Checks(argv[1]).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
