# Does the Linux NFS client serve stale cached pages after another client's write, when a process
# of the same client keeps the file open for writing? And does a small write then put the stale
# neighbours of the written bytes back on the server?
import os, sys, time
A, B = os.environ["SHARE_A"], os.environ["SHARE_B"]
direct = len(sys.argv) > 1 and sys.argv[1] == "direct"
flags = os.O_DIRECT if direct else 0
def rd(path, n=4096):
    fd = os.open(path, os.O_RDONLY | flags)
    # O_DIRECT on NFS needs no alignment, but use an aligned buffer anyway via os.preadv
    import mmap
    m = mmap.mmap(-1, n)
    got = os.preadv(fd, [m], 0)
    os.close(fd)
    return bytes(m[:got])
def wr(path, off, data, sync=True):
    fd = os.open(path, os.O_RDWR | flags)
    import mmap
    m = mmap.mmap(-1, 4096); m[:len(data)] = data
    os.pwritev(fd, [memoryview(m)[:len(data)]], off) if not direct else os.pwritev(fd, [memoryview(m)[:len(data)]], off)
    if sync: os.fsync(fd)
    os.close(fd)
for holder in (False, True):
    fa, fb = os.path.join(A, "probe.bin"), os.path.join(B, "probe.bin")
    with open(fa, "wb") as f: f.write(b"a" * 4096); f.flush(); os.fsync(f.fileno())
    time.sleep(0.2)
    keep = os.open(fa, os.O_RDWR) if holder else None   # another process on client A holding it open for write
    r1 = rd(fa)                                          # client A caches the page
    time.sleep(0.1)
    wr(fb, 0, b"B" * 4096)                               # terminal B rewrites the whole file
    time.sleep(0.1)
    r2 = rd(fa)                                          # client A, fresh open (close-to-open)
    stale = r2[:1] == b"a"
    wr(fa, 100, b"XXXX")                                 # client A writes 4 bytes in the middle
    time.sleep(0.1)
    r3 = rd(fb)                                          # what the server holds now, through B
    reverted = r3.count(b"a")
    if keep is not None: os.close(keep)
    print("RESULT direct=%d writer_open_on_A=%d A_read_after_B_write=%s stale_bytes_written_back=%d" % (direct, holder, "STALE" if stale else "fresh", reverted))
    os.unlink(fa)
