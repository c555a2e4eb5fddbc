"""A small pinbroker client, written from protocol/PROTOCOL.md alone.

Python 3.11, standard library only. One Client is one connection: it connects, sends HELLO,
and then serves one request at a time. fds passed in are borrowed (the caller keeps and closes
them); fds returned by get() belong to the caller, and are close-on-exec from the moment they
arrive (MSG_CMSG_CLOEXEC).

    with Client("/run/pinbroker/pinbroker.sock") as c:
        c.mkdir("/app", 0o755)
        c.pin("/app/buf", memfd, 0o640)
        fd, info, handout = c.get("/app/buf", read_only=True)

A refused request raises PinbrokerError (its .status is the errno-like code, .name the errno
name, .detail the broker's text). Anything that breaks the connection raises ProtocolError,
after which the client is closed.
"""

from __future__ import annotations

import array
import dataclasses
import os
import socket
import struct

__all__ = [
    "Client",
    "NodeInfo",
    "PinbrokerError",
    "ProtocolError",
    "STATUS_NAMES",
]

# ---- constants (PROTOCOL.md, "Constants") ----

MAGIC = 0x4250  # b"PB" as a little-endian u16
HEADER_BYTES = 16
FLAG_REPLY = 0x01
VERSION = 1
FEATURE_REOPEN = 1 << 0
MAX_FRAME_BYTES = 65536
MAX_FDS_PER_FRAME = 253
MAX_STRING_BYTES = 0xFFFF
DEFAULT_ID = 0xFFFFFFFF  # "the default" (PIN gid) or "unchanged" (CHOWN uid/gid)

OP_HELLO = 0x01
OP_PIN = 0x02
OP_GET = 0x03
OP_STAT = 0x04
OP_LIST = 0x05
OP_MKDIR = 0x06
OP_RMDIR = 0x07
OP_UNLINK = 0x08
OP_RENAME = 0x09
OP_CHMOD = 0x0A
OP_CHOWN = 0x0B

PIN_REPLACE = 1
PIN_CAS = 2

ACCESS_READ_ONLY = 0
ACCESS_READ_WRITE = 1

RENAME_REPLACE = 0
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2

HANDOUT_REOPENED = 1
HANDOUT_SHARED = 2
HANDOUT_ADVISORY = 3

NODE_DIRECTORY = 1
NODE_ENTRY = 2

KIND_NONE = 0
KIND_FD = 1

FD_TYPES = {
    0: "none",
    1: "file",
    2: "memfd",
    3: "pipe",
    4: "socket",
    5: "chardev",
    6: "blockdev",
    7: "directory",
    8: "anon-inode",
    9: "other",
}

STATUS_NAMES = {
    0: "OK",
    1: "EPERM",
    2: "ENOENT",
    9: "EBADF",
    11: "EAGAIN",
    13: "EACCES",
    16: "EBUSY",
    17: "EEXIST",
    20: "ENOTDIR",
    21: "EISDIR",
    22: "EINVAL",
    24: "EMFILE",
    28: "ENOSPC",
    36: "ENAMETOOLONG",
    38: "ENOSYS",
    39: "ENOTEMPTY",
    40: "ELOOP",
    71: "EPROTO",
    84: "EILSEQ",
    93: "EPROTONOSUPPORT",
    95: "EOPNOTSUPP",
    105: "ENOBUFS",
    110: "ETIMEDOUT",
    116: "ESTALE",
    7: "E2BIG",
    122: "EDQUOT",
}
EPROTO = 71

# ---- layouts (all little-endian) ----

# magic u16, opcode u8, flags u8, request_id u32, status u16, fd_count u8, reserved u8,
# body_length u32
_HEADER = struct.Struct("<HBBIHBBI")
# type u8, kind u8, fd_type u8, reserved u8, mode u32, uid u32, gid u32, generation u64,
# ctime_ns i64, mtime_ns i64, dev u64, ino u64, size u64, children u32
_NODE_INFO = struct.Struct("<BBBBIIIQqqQQQI")
_HELLO_REQUEST = struct.Struct("<HHQ")
_HELLO_REPLY = struct.Struct("<HHIQIII")
_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_LIST_HEAD = struct.Struct("<BBH")

assert _HEADER.size == HEADER_BYTES
assert _NODE_INFO.size == 68


class PinbrokerError(Exception):
    """The broker refused a request. The connection is still usable."""

    def __init__(self, status: int, detail: str, opcode: int, path: str | None = None):
        self.status = status
        self.name = STATUS_NAMES.get(status, f"status {status}")
        self.detail = detail
        self.opcode = opcode
        self.path = path
        text = f"{self.name} ({status})"
        if path is not None:
            text += f" on {path}"
        if detail:
            text += f": {detail}"
        super().__init__(text)

    @property
    def errno(self) -> int:
        return self.status


class ProtocolError(Exception):
    """The connection broke: malformed reply, lost fds, violation, or the broker left."""

    def __init__(self, message: str, status: int | None = None):
        self.status = status
        super().__init__(message)


@dataclasses.dataclass(frozen=True)
class NodeInfo:
    type: int
    kind: int
    fd_type: int
    mode: int
    uid: int
    gid: int
    generation: int
    ctime_ns: int
    mtime_ns: int
    dev: int
    ino: int
    size: int
    children: int
    details: bytes = b""  # per-kind BPF/sim details (PROTOCOL.md), kept raw here

    @property
    def is_directory(self) -> bool:
        return self.type == NODE_DIRECTORY

    @property
    def fd_type_name(self) -> str:
        return FD_TYPES.get(self.fd_type, str(self.fd_type))


# ---- encoding helpers ----


def _string(s: str | bytes) -> bytes:
    b = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    if len(b) > MAX_STRING_BYTES:
        raise ValueError(f"string of {len(b)} bytes exceeds {MAX_STRING_BYTES}")
    return _U16.pack(len(b)) + b


def _u32(v: int) -> bytes:
    return _U32.pack(v & 0xFFFFFFFF)


class _Reader:
    """Bounds-checked reads over a reply body; overruns are protocol errors."""

    def __init__(self, data: bytes, offset: int):
        self.data = data
        self.pos = offset

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise ProtocolError(f"reply truncated at {what}")
        b = self.data[self.pos : self.pos + n]
        self.pos += n
        return b

    def unpack(self, st: struct.Struct, what: str) -> tuple:
        return st.unpack(self.take(st.size, what))

    def string(self, what: str) -> str:
        (n,) = self.unpack(_U16, what + " length")
        raw = self.take(n, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ProtocolError(f"{what} is not valid UTF-8") from e

    def node_info(self) -> NodeInfo:
        return NodeInfo(*self._info_fields())

    def _info_fields(self) -> tuple:
        f = self.unpack(_NODE_INFO, "node info")
        (length,) = self.unpack(_U16, "details length")
        details = self.take(length, "details")
        # drop the reserved byte (index 3)
        return f[:3] + f[4:] + (details,)

    def end(self) -> None:
        if self.pos != len(self.data):
            raise ProtocolError(f"{len(self.data) - self.pos} unexpected trailing bytes in reply")


# ---- the client ----


class Client:
    """One connection to pinbrokerd. Not thread-safe."""

    def __init__(
        self,
        path: str | None,
        timeout: float | None = 10.0,
        features: int = FEATURE_REOPEN,
        sock: socket.socket | None = None,
    ):
        """Connects to `path` (or adopts the connected SEQPACKET `sock`) and sends HELLO."""
        self.path = path
        if sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_CLOEXEC)
            connect = True
        else:
            connect = False
        self._sock = sock
        self._next_id = 1
        self._closed = False
        try:
            self._sock.settimeout(timeout)
            if connect:
                self._sock.connect(path)
            body = _HELLO_REQUEST.pack(VERSION, VERSION, features)
            reply, fds = self._call(OP_HELLO, body, ())
            r = _Reader(reply, HEADER_BYTES)
            (
                self.version,
                self.max_fds,
                self.max_frame_bytes,
                self.features,
                self.peer_pid,
                self.peer_uid,
                self.peer_gid,
            ) = r.unpack(_HELLO_REPLY, "hello reply")
            r.end()
        except BaseException:
            self.close()
            raise

    # -- lifecycle --

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._sock.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def fileno(self) -> int:
        return self._sock.fileno()

    # -- operations --

    def pin(
        self,
        path: str,
        fd: int,
        mode: int,
        gid: int = -1,
        flags: int = 0,
        expected_generation: int = 0,
    ) -> NodeInfo:
        """Binds fd (borrowed) to a new name; flags are PIN_REPLACE / PIN_CAS."""
        body = (
            _string(path)
            + _u32(mode)
            + _u32(gid)
            + _u32(flags)
            + _U64.pack(expected_generation & 0xFFFFFFFFFFFFFFFF)
        )
        return self._node(OP_PIN, body, (fd,), path)

    def get(self, path: str, read_only: bool = False) -> tuple[int, NodeInfo, int]:
        """Opens an entry: (fd, info, handout). The caller owns and must close fd."""
        access = ACCESS_READ_ONLY if read_only else ACCESS_READ_WRITE
        reply, fds = self._call(OP_GET, _string(path) + _U8.pack(access), (), path)
        try:
            r = _Reader(reply, HEADER_BYTES)
            info = r.node_info()
            (handout,) = r.unpack(_U8, "handout")
            r.end()
            if handout not in (HANDOUT_REOPENED, HANDOUT_SHARED, HANDOUT_ADVISORY):
                raise ProtocolError(f"unknown handout {handout}")
        except BaseException:
            for f in fds:
                os.close(f)
            self.close()
            raise
        return fds[0], info, handout

    def stat(self, path: str) -> NodeInfo:
        return self._node(OP_STAT, _string(path), (), path)

    def list_page(
        self, path: str, after: str = "", limit: int = 0
    ) -> tuple[list[tuple[str, NodeInfo]], bool]:
        """One page: names sorting after `after`, at most `limit` (0: as many as fit)."""
        body = _string(path) + _string(after) + _u32(limit)
        reply, _ = self._call(OP_LIST, body, (), path)
        r = _Reader(reply, HEADER_BYTES)
        more, _reserved, count = r.unpack(_LIST_HEAD, "list head")
        entries = []
        for _ in range(count):
            name = r.string("name")
            entries.append((name, r.node_info()))
        r.end()
        return entries, more != 0

    def list(self, path: str, page_limit: int = 0) -> list[tuple[str, NodeInfo]]:
        """Every entry of a directory, in the broker's name order, fetched page by page."""
        out: list[tuple[str, NodeInfo]] = []
        after = ""
        while True:
            entries, more = self.list_page(path, after, page_limit)
            out.extend(entries)
            if not more or not entries:
                return out
            after = entries[-1][0]

    def mkdir(self, path: str, mode: int = 0o755) -> NodeInfo:
        return self._node(OP_MKDIR, _string(path) + _u32(mode), (), path)

    def rmdir(self, path: str) -> None:
        self._done(OP_RMDIR, _string(path), path)

    def unlink(self, path: str) -> None:
        self._done(OP_UNLINK, _string(path) + _u32(0), path)

    def rename(self, src: str, dst: str, mode: int = RENAME_REPLACE) -> None:
        self._done(OP_RENAME, _string(src) + _string(dst) + _U8.pack(mode), src)

    def chmod(self, path: str, mode: int) -> NodeInfo:
        return self._node(OP_CHMOD, _string(path) + _u32(mode), (), path)

    def chown(self, path: str, uid: int = -1, gid: int = -1) -> NodeInfo:
        return self._node(OP_CHOWN, _string(path) + _u32(uid) + _u32(gid), (), path)

    def raw_call(self, opcode: int, body: bytes, fds=()) -> tuple[bytes, list[int]]:
        """Sends any request; returns the whole reply datagram and the fds that came with it."""
        return self._call(opcode, body, tuple(fds))

    # -- plumbing --

    def _node(self, opcode: int, body: bytes, fds, path: str) -> NodeInfo:
        reply, _ = self._call(opcode, body, fds, path)
        r = _Reader(reply, HEADER_BYTES)
        info = r.node_info()
        r.end()
        return info

    def _done(self, opcode: int, body: bytes, path: str) -> None:
        reply, _ = self._call(opcode, body, (), path)
        _Reader(reply, HEADER_BYTES).end()

    def _call(self, opcode: int, body: bytes, fds, path: str | None = None):
        """One exchange. Returns (reply datagram, fds) for OK; raises otherwise."""
        if self._closed:
            raise ProtocolError("the connection is closed")
        request_id = self._next_id
        self._next_id = self._next_id % 0xFFFFFFFF + 1  # never 0
        frame = (
            _HEADER.pack(MAGIC, opcode, 0, request_id, 0, len(fds), 0, len(body)) + body
        )
        if len(frame) > MAX_FRAME_BYTES:
            raise ValueError(f"request of {len(frame)} bytes exceeds {MAX_FRAME_BYTES}")
        if len(fds) > MAX_FDS_PER_FRAME:
            raise ValueError(f"{len(fds)} fds exceed {MAX_FDS_PER_FRAME}")
        try:
            anc = []
            if fds:
                anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
            self._sock.sendmsg([frame], anc, socket.MSG_NOSIGNAL)
            data, received, status, op = self._receive(request_id, opcode)
        except (OSError, ProtocolError):
            self.close()
            raise
        if status != 0:
            for f in received:
                os.close(f)
            r = _Reader(data, HEADER_BYTES)
            try:
                detail = r.string("detail")
                r.end()
            except ProtocolError:
                self.close()
                raise
            raise PinbrokerError(status, detail, op, path)
        return data, received

    def _receive(self, request_id: int, opcode: int):
        data, anc, msg_flags, _ = self._sock.recvmsg(
            MAX_FRAME_BYTES,
            socket.CMSG_SPACE(MAX_FDS_PER_FRAME * 4),
            socket.MSG_CMSG_CLOEXEC,
        )
        fds: list[int] = []
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                a = array.array("i")
                a.frombytes(payload[: len(payload) - len(payload) % a.itemsize])
                fds.extend(a)
        try:
            if msg_flags & socket.MSG_CTRUNC:
                raise ProtocolError(
                    "fds lost in transit (MSG_CTRUNC): is this process at its fd limit?"
                )
            if msg_flags & socket.MSG_TRUNC:
                raise ProtocolError(f"reply larger than {MAX_FRAME_BYTES} bytes")
            if not data and not fds:
                raise ProtocolError("the broker closed the connection")
            if len(data) < HEADER_BYTES:
                raise ProtocolError(f"reply of {len(data)} bytes is shorter than the header")
            magic, op, flags, rid, status, fd_count, reserved, body_len = _HEADER.unpack_from(data)
            if magic != MAGIC:
                raise ProtocolError(f"bad magic 0x{magic:04x}")
            if flags != FLAG_REPLY or reserved != 0:
                raise ProtocolError(f"bad reply flags 0x{flags:02x} / reserved {reserved}")
            if body_len != len(data) - HEADER_BYTES:
                raise ProtocolError(
                    f"body_length {body_len} but {len(data) - HEADER_BYTES} body bytes arrived"
                )
            if status == EPROTO and rid == 0 and op == 0:
                detail = _Reader(data, HEADER_BYTES).string("detail")
                raise ProtocolError(f"the broker dropped the connection: {detail}", EPROTO)
            if rid != request_id or op != opcode:
                raise ProtocolError(
                    f"reply (id {rid}, opcode {op}) does not match request "
                    f"(id {request_id}, opcode {opcode})"
                )
            if fd_count != len(fds):
                raise ProtocolError(f"header announces {fd_count} fds but {len(fds)} arrived")
            expected = 1 if (opcode == OP_GET and status == 0) else 0
            if len(fds) != expected:
                raise ProtocolError(f"reply carries {len(fds)} fds, expected {expected}")
        except BaseException:
            for f in fds:
                os.close(f)
            raise
        return data, fds, status, op
